"""What the asyncio decoders work out once per stop: kept beside the Target, gone with it."""

from __future__ import annotations

import weakref

from ..target import Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

    from .coroutine import GeneratorCut
    from .task import _Reordered


class StopCache:
    def __init__(self) -> None:
        self.kinds: Dict[int, Optional[str]] = {}  # type address -> task.future_kind()
        self.type_names: Dict[int, str] = {}  # type address -> its name
        self.texts: Dict[int, str] = {}  # str object address -> its text (qualnames)
        self.slots: Dict[int, Dict[str, int]] = {}  # type address -> __slots__ name -> offset
        self.generator_cut: Optional[GeneratorCut] = None  # coroutine.GeneratorCut, made on first need
        self.task_cut: Optional[_Reordered] = None  # task._task_cut(), made on first need


_caches: "weakref.WeakKeyDictionary[Target, StopCache]" = weakref.WeakKeyDictionary()


_last: List[Tuple[Optional[Target], StopCache]] = [(None, StopCache())]  # the one asked for last: most asks


def stop_cache(t: Target) -> StopCache:
    last = _last[0]
    if last[0] is t:
        return last[1]
    cache = _caches.get(t)
    if cache is None:
        cache = _caches[t] = StopCache()
    _last[0] = (t, cache)
    return cache
