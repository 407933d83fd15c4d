-- Query 1: currency conversion. Each bid's price from dollars to euros.
SELECT
    auction,
    bidder,
    0.908 * price as price, -- convert dollar to euro
    `dateTime`,
    extra
FROM bid;
