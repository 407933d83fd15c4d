-- Per bidder, the bids, the money spent and the highest bid so far: an aggregation without a
-- window (update mode), keyed by bidder, whose state holds one row per bidder seen.
SELECT bidder, count(*) AS bids, sum(price) AS spent, max(price) AS top FROM bid GROUP BY bidder;
