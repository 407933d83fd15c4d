-- Query 11: user sessions. The number of bids of each bidder per session (a gap of 10 seconds
-- ends a session), in the legacy GROUP BY SESSION(...) form the nexmark project uses.
SELECT
    B.bidder,
    count(*) as bid_count,
    SESSION_START(B.`dateTime`, INTERVAL '10' SECOND) as starttime,
    SESSION_END(B.`dateTime`, INTERVAL '10' SECOND) as endtime
FROM bid B
GROUP BY B.bidder, SESSION(B.`dateTime`, INTERVAL '10' SECOND);
