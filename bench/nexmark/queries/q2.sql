-- Query 2: selection. The bids on every 123rd auction (the original's five fixed auction ids
-- would select almost nothing).
SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0;
