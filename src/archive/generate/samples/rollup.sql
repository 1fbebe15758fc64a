-- §A §b rollup, rebuilt nightly
CREATE TABLE IF NOT EXISTS §a_§b_daily
(
    team_id Int64,
    day Date,
    §c_count UInt64,
    distinct_persons AggregateFunction(uniq, UUID),
    _timestamp DateTime
)
ENGINE = ReplacingMergeTree(_timestamp)
PARTITION BY toYYYYMM(day)
ORDER BY (team_id, day);

INSERT INTO §a_§b_daily
SELECT
    team_id,
    toDate(timestamp) AS day,
    countIf(event = '$§a_§c') AS §c_count,
    uniqState(person_id) AS distinct_persons,
    now() AS _timestamp
FROM events
WHERE timestamp >= today() - INTERVAL §n DAY
  AND team_id IN (SELECT id FROM posthog_team WHERE is_demo = false)
GROUP BY team_id, day;
