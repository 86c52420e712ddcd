"""What to cite: BibTeX for the package and for the papers whose claims a run used (``tempx cite``, the report).

One source for every citation the project prints: CITATION.cff lists the same papers (a test compares them), and
the package entry takes its version from ``tempx.__version__`` and its year from ``RELEASE_DATE``.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["PAPERS", "RELEASE_DATE", "REPOSITORY", "USED_BY", "bibtex", "papers_for"]

REPOSITORY = "https://github.com/tempx-project/tempx"  # placeholder until the public repository exists
RELEASE_DATE = "2026-12-03"  # CITATION.cff's date-released (a test keeps the two equal); the wheel has no CITATION.cff

PAPERS: dict[str, str] = {
    "cohenkarlik2022implicit": """@inproceedings{cohenkarlik2022implicit,
  title     = {On the Implicit Bias of Gradient Descent for Temporal Extrapolation},
  author    = {Cohen-Karlik, Edo and Ben David, Avichai and Cohen, Nadav and Globerson, Amir},
  booktitle = {Proceedings of the 25th International Conference on Artificial Intelligence and Statistics (AISTATS)},
  series    = {Proceedings of Machine Learning Research},
  volume    = {151},
  pages     = {10966--10981},
  year      = {2022},
  eprint    = {2202.04302},
  archivePrefix = {arXiv},
  url       = {https://arxiv.org/abs/2202.04302}
}""",
    "cohenkarlik2023lowdim": """@inproceedings{cohenkarlik2023lowdim,
  title     = {Learning Low Dimensional State Spaces with Overparameterized Recurrent Neural Nets},
  author    = {Cohen-Karlik, Edo and Menuhin-Gruman, Itamar and Giryes, Raja and Cohen, Nadav and Globerson, Amir},
  booktitle = {The Eleventh International Conference on Learning Representations (ICLR)},
  year      = {2023},
  eprint    = {2210.14064},
  archivePrefix = {arXiv},
  url       = {https://arxiv.org/abs/2210.14064}
}""",
    "slutzky2024poisoned": """@misc{slutzky2024poisoned,
  title     = {The Implicit Bias of Structured State Space Models Can Be Poisoned With Clean Labels},
  author    = {Slutzky, Yonatan and Alexander, Yotam and Razin, Noam and Cohen, Nadav},
  year      = {2024},
  eprint    = {2410.10473},
  archivePrefix = {arXiv},
  url       = {https://arxiv.org/abs/2410.10473}
}""",
    "ranmilo2024complex": """@inproceedings{ranmilo2024complex,
  title     = {Provable Benefits of Complex Parameterizations for Structured State Space Models},
  author    = {Ran-Milo, Yuval and Lumbroso, Eden and Cohen-Karlik, Edo and Giryes, Raja and Globerson, Amir and Cohen, Nadav},
  booktitle = {Advances in Neural Information Processing Systems (NeurIPS)},
  year      = {2024},
  eprint    = {2410.14067},
  archivePrefix = {arXiv},
  url       = {https://arxiv.org/abs/2410.14067}
}""",
}

_SEED, _LOWDIM, _POISON, _COMPLEX = PAPERS
# the papers whose setting each claim and experiment formalizes (the statements and proofs here are the project's)
USED_BY: dict[str, tuple[str, ...]] = {
    **{f"C{i}": (_SEED,) for i in (1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15)},
    "C9": (_SEED, _LOWDIM), "C11": (_SEED, _LOWDIM), "C12": (_LOWDIM,), "C16": (_POISON,), "C17": (_COMPLEX,),
    **{e: (_SEED,) for e in ("E1", "E1L", "E2", "E3", "E4", "E8", "E9")},
    "E5": (_SEED, _LOWDIM), "E6": (_SEED, _LOWDIM), "E7": (_SEED, _LOWDIM), "E10": (_POISON,), "E11": (_COMPLEX,),
}


def package_bibtex() -> str:
    from tempx import __version__

    year = RELEASE_DATE[:4]
    return f"""@software{{tempx,
  title   = {{tempx: exact and numerical verification of temporal extrapolation in recurrent neural networks}},
  author  = {{{{The tempx developers}}}},
  version = {{{__version__}}},
  year    = {{{year}}},
  url     = {{{REPOSITORY}}}
}}"""


def papers_for(used: Iterable[str]) -> list[str]:
    """The paper keys behind the claims and experiments in ``used`` (unknown names are an error), in a fixed order."""
    from tempx.theory.errors import InvalidInput

    keys: set[str] = set()
    for name in used:
        if name not in USED_BY:
            raise InvalidInput(f"unknown claim or experiment {name!r} (allowed: {', '.join(sorted(USED_BY, key=_order))})")
        keys.update(USED_BY[name])
    return [k for k in PAPERS if k in keys]


def _order(name: str) -> tuple[str, int, str]:
    digits = "".join(c for c in name[1:] if c.isdigit())
    return name[0], int(digits or 0), name


def bibtex(used: Iterable[str] | None = None) -> str:
    """BibTeX for the package and for the papers behind ``used`` (every paper when None)."""
    keys = list(PAPERS) if used is None else papers_for(used)
    return "\n\n".join([package_bibtex(), *(PAPERS[k] for k in keys)]) + "\n"
