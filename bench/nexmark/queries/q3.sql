-- Query 3: local item suggestion. Who sells in category 10 in Oregon, Idaho or California, and
-- which auctions: an incremental join of two streams (state per key) and a filter.
SELECT
    P.name, P.city, P.state, A.id
FROM
    auction AS A INNER JOIN person AS P on A.seller = P.id
WHERE
    A.category = 10 and (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
