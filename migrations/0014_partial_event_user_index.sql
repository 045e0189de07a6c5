-- Only events of signed-in users go into the user index: an anonymous view or search (most of
-- them) skips one index entry on the capture path (docs/PERFORMANCE.md, log 36). ON DELETE SET
-- NULL looks a user's events up by `user_id = $1`, which implies NOT NULL, so both engines still
-- use it.
DROP INDEX analytics_events_user_idx;
CREATE INDEX analytics_events_user_idx ON analytics_events (user_id) WHERE user_id IS NOT NULL;
