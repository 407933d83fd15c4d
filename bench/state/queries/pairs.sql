-- Each (auction, bidder) pair once: a SELECT DISTINCT, whose state holds every pair seen (the
-- most keys of these queries: millions at 5 M events).
SELECT DISTINCT auction, bidder FROM bid;
