-- Each bidder's first bid on each auction (in event time): a ROW_NUMBER() = 1 deduplication,
-- keyed by (auction, bidder), whose state holds a row per pair seen.
SELECT auction, bidder, price, `dateTime`
FROM (
    SELECT auction, bidder, price, `dateTime`,
           ROW_NUMBER() OVER (PARTITION BY auction, bidder ORDER BY `dateTime`) AS rownum
    FROM bid)
WHERE rownum = 1;
