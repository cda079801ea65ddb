// Title row of a console section, with its actions on the right.
import type { ReactNode } from 'react';

interface SectionHeaderProps {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
}

export function SectionHeader({ title, subtitle, actions }: SectionHeaderProps) {
  return (
    <header className="c-section-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="c-muted">{subtitle}</p>}
      </div>
      {actions && <div className="c-section-header__actions">{actions}</div>}
    </header>
  );
}
