-- Flink's events table over the benchmark's Parquet files: the nexmark project's `datagen`
-- table (ddl_gen.sql) with the filesystem connector instead of its generator. dateTime is a
-- stored column of the files here (a computed one in the reference, from the struct that is
-- set); the watermark is the reference's. The files' INT96 timestamps hold UTC times
-- ('parquet.utc-timezone'). ${DATA_DIR} is replaced by NexmarkFlink.
CREATE TABLE events (
    event_type int,
    person ROW<
        id  BIGINT,
        name  VARCHAR,
        emailAddress  VARCHAR,
        creditCard  VARCHAR,
        city  VARCHAR,
        state  VARCHAR,
        `dateTime` TIMESTAMP(3),
        extra  VARCHAR>,
    auction ROW<
        id  BIGINT,
        itemName  VARCHAR,
        description  VARCHAR,
        initialBid  BIGINT,
        reserve  BIGINT,
        `dateTime`  TIMESTAMP(3),
        expires  TIMESTAMP(3),
        seller  BIGINT,
        category  BIGINT,
        extra  VARCHAR>,
    bid ROW<
        auction  BIGINT,
        bidder  BIGINT,
        price  BIGINT,
        channel  VARCHAR,
        url  VARCHAR,
        `dateTime`  TIMESTAMP(3),
        extra  VARCHAR>,
    `dateTime` TIMESTAMP(3),
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (
    'connector' = 'filesystem',
    'path' = '${DATA_DIR}',
    'format' = 'parquet',
    'parquet.utc-timezone' = 'true'
);
