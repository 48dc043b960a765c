"""What operators see: request ids on every log line and task, JSON logs, Sentry, /metrics."""
