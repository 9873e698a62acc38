/** An inline error, announced to screen readers as it appears. */
export function ErrorNotice({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="notice notice-error" role="alert">
      <span>{message}</span>
      {onRetry && (
        <button type="button" className="button-link" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
