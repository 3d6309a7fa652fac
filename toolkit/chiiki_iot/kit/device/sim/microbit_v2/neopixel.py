"""``neopixel`` of a virtual micro:bit: colours are kept; ``shown`` is what ``show()`` sent."""


class NeoPixel:
    def __init__(self, pin, n, bpp=3):
        self.pin, self.n, self.bpp = pin, n, bpp
        self._px = [(0,) * bpp for _ in range(n)]
        self.shown = [(0,) * bpp for _ in range(n)]

    def __setitem__(self, i, colour):
        self._px[i] = tuple(colour)

    def __getitem__(self, i):
        return self._px[i]

    def __len__(self):
        return self.n

    def fill(self, colour):
        self._px = [tuple(colour)] * self.n

    def clear(self):
        self.fill((0,) * self.bpp)
        self.show()

    def show(self):
        self.shown = list(self._px)

    write = show
