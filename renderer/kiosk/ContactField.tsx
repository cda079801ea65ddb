// Email or text message, and the address: the take-home screen's "send them to me" and the
// no-results screen's "send me photos of me as they are taken" ask for it the same way.
import { useState } from 'react';
import { contactFrom, type Channel } from './contact.js';

/** The channel, what was typed, and the contact it makes (null until the address is valid). */
export function useContactEntry() {
  const [channel, setChannel] = useState<Channel>('email');
  const [typed, setTyped] = useState('');
  return { channel, typed, setTyped, contact: contactFrom(channel, typed), setChannel };
}

/**
 * The ways photos can be sent. Text messages are not among them until something sends them (the
 * cloud endpoint sends email only): offering one would promise a text that never comes, and keep
 * the number with nothing sent. The picker appears once there are two.
 */
export const OFFERED_CHANNELS: readonly Channel[] = ['email'];

/** Channel picker and address field; switching channel clears the address (an email is not a phone number). */
export function ContactFields({ entry }: { entry: ReturnType<typeof useContactEntry> }) {
  return (
    <>
      {OFFERED_CHANNELS.length > 1 && (
        <ChannelPicker
          channel={entry.channel}
          onChange={(c) => {
            entry.setChannel(c);
            entry.setTyped('');
          }}
        />
      )}
      <ContactInput channel={entry.channel} value={entry.typed} onChange={entry.setTyped} />
    </>
  );
}

interface ChannelPickerProps {
  channel: Channel;
  onChange: (channel: Channel) => void;
}

export function ChannelPicker({ channel, onChange }: ChannelPickerProps) {
  return (
    <div className="k-segmented" role="radiogroup" aria-label="How to send">
      {OFFERED_CHANNELS.map((c) => (
        <button
          key={c}
          type="button"
          role="radio"
          aria-checked={channel === c}
          className={channel === c ? 'is-active' : ''}
          onClick={() => onChange(c)}
          data-testid={`channel-${c}`}
        >
          {c === 'email' ? 'Email' : 'Text message'}
        </button>
      ))}
    </div>
  );
}

interface ContactInputProps {
  channel: Channel;
  value: string;
  onChange: (value: string) => void;
}

export function ContactInput({ channel, value, onChange }: ContactInputProps) {
  return (
    <input
      className="k-input"
      type={channel === 'email' ? 'email' : 'tel'}
      inputMode={channel === 'email' ? 'email' : 'tel'}
      autoComplete="off"
      placeholder={channel === 'email' ? 'you@example.com' : '+44 7700 900123'}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      data-testid="contact-input"
      aria-label={channel === 'email' ? 'Email address' : 'Phone number'}
    />
  );
}
