-- Query 0: pass-through. Every bid, unchanged: the cost of reading and writing events.
SELECT auction, bidder, price, `dateTime`, extra FROM bid;
