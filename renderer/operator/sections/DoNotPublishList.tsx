// "Do not publish": everyone whose face is blurred in what attendees and exports see, who asked
// (the organiser, or the attendee at a kiosk), when, and in how many photos it hides a face now.
// Revoked records stay listed: the list is the organiser's record of what was asked.
import type { OptOutView } from '@api';
import { formatDateTime, plural } from '../../shared/format.js';

const SOURCE_LABEL: Record<OptOutView['source'], string> = { organiser: 'Organiser', kiosk: 'Kiosk' };

function who(r: OptOutView): string {
  if (r.personId === null) return 'An attendee’s face (from their kiosk selfie)';
  return r.personName ?? `Person ${r.personId}`;
}

interface DoNotPublishListProps {
  records: readonly OptOutView[];
  onRevoke: (record: OptOutView) => void;
}

export function DoNotPublishList({ records, onRevoke }: DoNotPublishListProps) {
  const active = records.filter((r) => r.revokedAt === null).length;
  return (
    <section className="c-panel c-panel--flush c-optouts" data-testid="do-not-publish-list" aria-label="Do not publish">
      <header className="c-optouts__header">
        <h2>Do not publish</h2>
        <span className="c-muted c-small">
          {active
            ? `${plural(active, 'request')} in force: these faces are blurred in galleries, kiosks and exports.`
            : 'Nobody has asked.'}
        </span>
      </header>
      {records.length > 0 && (
        <table className="c-table">
          <thead>
            <tr>
              <th>Who</th>
              <th>Asked by</th>
              <th>When</th>
              <th className="c-align-end">Photos</th>
              <th>State</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.id} data-testid="opt-out-row" data-opt-out-id={r.id} data-active={r.revokedAt === null}>
                <td>
                  <strong className="c-break">{who(r)}</strong>
                  {r.note && <div className="c-small c-muted">{r.note}</div>}
                </td>
                <td>{SOURCE_LABEL[r.source]}</td>
                <td className="c-muted c-nowrap">{formatDateTime(r.createdAt)}</td>
                <td className="c-align-end c-tabular">{r.revokedAt === null ? r.photoCount : '–'}</td>
                <td>
                  {r.revokedAt === null ? (
                    <span className="c-pill c-pill--failed">Not published</span>
                  ) : (
                    <>
                      <span className="c-pill">Revoked {formatDateTime(r.revokedAt)}</span>
                      {r.revokeReason && <div className="c-small c-muted">{r.revokeReason}</div>}
                    </>
                  )}
                </td>
                <td className="c-align-end">
                  {r.revokedAt === null && (
                    <button
                      type="button"
                      className="c-button c-button--small c-button--ghost"
                      onClick={() => onRevoke(r)}
                      data-testid="opt-out-revoke"
                    >
                      Publish again
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
