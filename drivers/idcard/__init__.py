"""China's second-generation ID card reader (SAM_V serial protocol).

- :mod:`drivers.idcard.protocol` — the frame codec (pure),
- :mod:`drivers.idcard.card` — the card's text in its four layouts, :class:`IdCard` (pure),
- :mod:`drivers.idcard.reader` — :class:`IdCardReader`, the driver with its poll thread,
- :mod:`drivers.idcard.emulator` — a reader on a pty, with faults on demand,
- :mod:`drivers.idcard.samples` — made-up cards for demos and tests.
"""

from drivers.idcard.card import IdCard
from drivers.idcard.errors import BrokenLine, CardReadError, NoCard, ReaderError, SamError
from drivers.idcard.reader import IdCardReader

__all__ = ["BrokenLine", "CardReadError", "IdCard", "IdCardReader", "NoCard", "ReaderError", "SamError"]
