// Shows an SVG the server generated (QR codes). The markup comes from our own engine, never from a user.
interface SvgMarkupProps {
  svg: string;
  className?: string;
  label: string;
  testId?: string;
}

export function SvgMarkup({ svg, className, label, testId }: SvgMarkupProps) {
  return <div className={className} role="img" aria-label={label} data-testid={testId} dangerouslySetInnerHTML={{ __html: svg }} />;
}
