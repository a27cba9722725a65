-- /alerts/stream's replay after a reconnect also reads the alerts published since the last one the
-- browser received (an alert can be published after one with a higher sequence).
CREATE INDEX alerts_published_at ON alerts (published_at) WHERE published_at IS NOT NULL;
