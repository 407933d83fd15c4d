"""A Kafka producer for the stream tests, through librdkafka (the library tidelake reads Kafka
with) by ctypes: no Kafka client package is needed. Topics are created with the admin API, since
the test broker (scripts/kafka.sh) does not create topics on first use."""

import ctypes
import ctypes.util
import uuid

_lib = ctypes.CDLL(ctypes.util.find_library("rdkafka") or "librdkafka.so.1")
_p = ctypes.c_void_p
for name, restype, argtypes in [
    ("rd_kafka_conf_new", _p, []),
    ("rd_kafka_conf_set", ctypes.c_int, [_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]),
    ("rd_kafka_new", _p, [ctypes.c_int, _p, ctypes.c_char_p, ctypes.c_size_t]),
    ("rd_kafka_destroy", None, [_p]),
    ("rd_kafka_topic_new", _p, [_p, ctypes.c_char_p, _p]),
    ("rd_kafka_topic_destroy", None, [_p]),
    ("rd_kafka_produce", ctypes.c_int, [_p, ctypes.c_int32, ctypes.c_int, _p, ctypes.c_size_t, _p, ctypes.c_size_t, _p]),
    ("rd_kafka_flush", ctypes.c_int, [_p, ctypes.c_int]),
    ("rd_kafka_last_error", ctypes.c_int, []),
    ("rd_kafka_err2str", ctypes.c_char_p, [ctypes.c_int]),
    ("rd_kafka_NewTopic_new", _p, [ctypes.c_char_p, ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t]),
    ("rd_kafka_NewTopic_destroy", None, [_p]),
    ("rd_kafka_queue_new", _p, [_p]),
    ("rd_kafka_queue_destroy", None, [_p]),
    ("rd_kafka_CreateTopics", None, [_p, ctypes.POINTER(_p), ctypes.c_size_t, _p, _p]),
    ("rd_kafka_queue_poll", _p, [_p, ctypes.c_int]),
    ("rd_kafka_event_destroy", None, [_p]),
    ("rd_kafka_event_CreateTopics_result", _p, [_p]),
    ("rd_kafka_CreateTopics_result_topics", ctypes.POINTER(_p), [_p, ctypes.POINTER(ctypes.c_size_t)]),
    ("rd_kafka_topic_result_error", ctypes.c_int, [_p]),
    ("rd_kafka_topic_result_error_string", ctypes.c_char_p, [_p]),
]:
    fn = getattr(_lib, name)
    fn.restype = restype
    fn.argtypes = argtypes

_PRODUCER = 0
_MSG_F_COPY = 0x2


class Producer:
    def __init__(self, bootstrap):
        error = ctypes.create_string_buffer(512)
        conf = _lib.rd_kafka_conf_new()
        if _lib.rd_kafka_conf_set(conf, b"bootstrap.servers", bootstrap.encode(), error, len(error)) != 0:
            raise RuntimeError(error.value.decode())
        self._rk = _lib.rd_kafka_new(_PRODUCER, conf, error, len(error))
        if not self._rk:
            raise RuntimeError(error.value.decode())
        self._topics = {}

    def close(self):
        for handle in self._topics.values():
            _lib.rd_kafka_topic_destroy(handle)
        self._topics = {}
        if self._rk:
            _lib.rd_kafka_destroy(self._rk)
            self._rk = None

    def create_topic(self, partitions):
        """Creates a topic with a fresh name and returns the name."""
        name = "t-" + uuid.uuid4().hex[:8]
        error = ctypes.create_string_buffer(512)
        new_topic = _lib.rd_kafka_NewTopic_new(name.encode(), partitions, 1, error, len(error))
        if not new_topic:
            raise RuntimeError(error.value.decode())
        queue = _lib.rd_kafka_queue_new(self._rk)
        try:
            topics = (_p * 1)(new_topic)
            _lib.rd_kafka_CreateTopics(self._rk, topics, 1, None, queue)
            event = _lib.rd_kafka_queue_poll(queue, 30000)
            if not event:
                raise RuntimeError("no answer from the broker to CreateTopics")
            try:
                count = ctypes.c_size_t(0)
                results = _lib.rd_kafka_CreateTopics_result_topics(_lib.rd_kafka_event_CreateTopics_result(event),
                                                                   ctypes.byref(count))
                if count.value != 1 or _lib.rd_kafka_topic_result_error(results[0]) != 0:
                    message = _lib.rd_kafka_topic_result_error_string(results[0]) if count.value else b"no result"
                    raise RuntimeError(f"creating topic {name}: {message.decode()}")
            finally:
                _lib.rd_kafka_event_destroy(event)
        finally:
            _lib.rd_kafka_queue_destroy(queue)
            _lib.rd_kafka_NewTopic_destroy(new_topic)
        return name

    def produce(self, topic, partition, value, key=None):
        handle = self._topics.get(topic)
        if handle is None:
            handle = self._topics[topic] = _lib.rd_kafka_topic_new(self._rk, topic.encode(), None)
        payload = value.encode() if value is not None else None
        key_bytes = key.encode() if key is not None else None
        if _lib.rd_kafka_produce(handle, partition, _MSG_F_COPY, payload, len(payload) if payload else 0,
                                 key_bytes, len(key_bytes) if key_bytes else 0, None) != 0:
            raise RuntimeError(_lib.rd_kafka_err2str(_lib.rd_kafka_last_error()).decode())

    def flush(self):
        if _lib.rd_kafka_flush(self._rk, 30000) != 0:
            raise RuntimeError("the producer could not deliver every message within 30 s")
