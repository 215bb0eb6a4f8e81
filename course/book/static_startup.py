"""IPython start-up file of the course site's kernels (course/book.py installs it in a fresh IPYTHONDIR).

A static page has no kernel: a progress bar saved in a notebook's outputs would show its first frame
("train: 0%|") for ever. tqdm.notebook ignores TQDM_DISABLE, so the site's kernels get a tqdm.auto whose
bars are always disabled; naslab imports `tqdm.auto.tqdm` when it draws a bar, and picks this one up.
"""

import tqdm.auto


class _NoBar(tqdm.auto.tqdm):
    def __init__(self, *args, **kwargs):
        kwargs["disable"] = True
        super().__init__(*args, **kwargs)


tqdm.auto.tqdm = _NoBar
