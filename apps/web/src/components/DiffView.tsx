/** How a unified-diff line reads: added, removed, a hunk header, a file header or context. */
export function diffLineKind(line: string): 'add' | 'del' | 'hunk' | 'file' | 'ctx' {
  if (line.startsWith('+++') || line.startsWith('---')) return 'file';
  if (line.startsWith('+')) return 'add';
  if (line.startsWith('-')) return 'del';
  if (line.startsWith('@@')) return 'hunk';
  return 'ctx';
}

/**
 * A unified diff with added lines green and removed ones red; the +/− stays in the text so the
 * meaning survives without colour (and copy-paste gives a valid patch).
 */
export function DiffView({ diff, label }: { diff: string; label: string }) {
  if (diff.trim() === '') return <p className="muted">No changes.</p>;
  // `Index:` and `====` are the patch's file banner: noise next to the ---/+++ headers.
  const lines = diff
    .replace(/\n$/, '')
    .split('\n')
    .filter((line) => !line.startsWith('Index:') && !/^=+$/.test(line));
  const added = lines.filter((l) => diffLineKind(l) === 'add').length;
  const removed = lines.filter((l) => diffLineKind(l) === 'del').length;
  return (
    <figure className="diff" aria-label={label}>
      <figcaption className="diff-stats">
        <span className="diff-added">+{added}</span> <span className="diff-removed">−{removed}</span>
      </figcaption>
      <pre className="code">
        {lines.map((line, index) => (
          <span key={index} className={`diff-line diff-${diffLineKind(line)}`}>
            {line === '' ? ' ' : line}
            {'\n'}
          </span>
        ))}
      </pre>
    </figure>
  );
}
