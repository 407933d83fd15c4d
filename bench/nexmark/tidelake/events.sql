-- tidelake's events source over the benchmark's Parquet files: the columns of the nexmark
-- project's `datagen` table (as in bench/nexmark/flink/events.sql, in tidelake's type names),
-- read by the files connector, with the reference's watermark, one file (a million events) per
-- batch, as a streaming engine reads a bounded input in pieces rather than all at once.
-- ${DATA_DIR} is replaced by bench/run_nexmark_benchmark.py.
CREATE SOURCE events (
    event_type INT,
    person STRUCT<
        id: BIGINT,
        name: STRING,
        emailAddress: STRING,
        creditCard: STRING,
        city: STRING,
        state: STRING,
        `dateTime`: TIMESTAMP,
        extra: STRING>,
    auction STRUCT<
        id: BIGINT,
        itemName: STRING,
        description: STRING,
        initialBid: BIGINT,
        reserve: BIGINT,
        `dateTime`: TIMESTAMP,
        expires: TIMESTAMP,
        seller: BIGINT,
        category: BIGINT,
        extra: STRING>,
    bid STRUCT<
        auction: BIGINT,
        bidder: BIGINT,
        price: BIGINT,
        channel: STRING,
        url: STRING,
        `dateTime`: TIMESTAMP,
        extra: STRING>,
    `dateTime` TIMESTAMP,
    WATERMARK FOR `dateTime` AS `dateTime` - INTERVAL '4' SECOND
) WITH (connector = 'files', path = '${DATA_DIR}', format = 'parquet', maxFilesPerTrigger = '1');
