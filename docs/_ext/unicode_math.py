"""Unicode mathematics in docstrings, typeset on the site: formula spans found and turned into LaTeX.

Docstrings are written for ``help()``: formulas in Unicode (``L_q(R) = Σ_{i<q} r_i²``, ``k ≥ 1``).  When the API
reference is built, ``math_spans`` finds the formula spans of a line of prose (runs of tokens with mathematical
characters, subscripts, single-letter variables and the operators between them) and wraps each, translated to
LaTeX, in a role (``:math:`…```), so MathJax typesets it.  A heuristic: the headless-browser test of the site
checks the rendered reference for MathJax errors and raw markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable

GREEK = {"α": r"\alpha", "β": r"\beta", "γ": r"\gamma", "δ": r"\delta", "ε": r"\varepsilon", "η": r"\eta", "θ": r"\theta",
         "λ": r"\lambda", "μ": r"\mu", "ν": r"\nu", "ξ": r"\xi", "π": r"\pi", "ρ": r"\rho", "σ": r"\sigma", "τ": r"\tau",
         "φ": r"\varphi", "χ": r"\chi", "ψ": r"\psi", "ω": r"\omega", "Γ": r"\Gamma", "Δ": r"\Delta", "Θ": r"\Theta",
         "Λ": r"\Lambda", "Ξ": r"\Xi", "Φ": r"\Phi", "Ψ": r"\Psi", "Ω": r"\Omega", "κ": r"\kappa", "ζ": r"\zeta"}
SYM = {"≤": r"\le", "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "→": r"\to", "↦": r"\mapsto", "∞": r"\infty",
       "∂": r"\partial", "∇": r"\nabla", "∈": r"\in", "∉": r"\notin", "∤": r"\nmid", "∝": r"\propto", "±": r"\pm",
       "·": r"\cdot", "×": r"\times", "…": r"\dots", "−": "-", "Σ": r"\sum", "Π": r"\prod", "∫": r"\int",
       "‖": r"\Vert", "⟨": r"\langle", "⟩": r"\rangle", "⌊": r"\lfloor", "⌋": r"\rfloor", "⌈": r"\lceil", "⌉": r"\rceil",
       "ℚ": r"\mathbb{Q}", "ℝ": r"\mathbb{R}", "ℂ": r"\mathbb{C}", "ℤ": r"\mathbb{Z}", "√": r"\sqrt", "⇒": r"\Rightarrow",
       "⇔": r"\Leftrightarrow", "∪": r"\cup", "∩": r"\cap", "⊂": r"\subset", "∀": r"\forall", "∃": r"\exists",
       "½": r"\tfrac12", "⊙": r"\odot", "←": r"\leftarrow", "≻": r"\succ", "⪰": r"\succeq", "≺": r"\prec", "ℓ": r"\ell", "∘": r"\circ", "≡": r"\equiv", "⊗": r"\otimes", "∑": r"\sum", "≪": r"\ll", "≫": r"\gg"}
SUP = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-",
       "ᵀ": r"\top ", "ⁱ": "i", "ⁿ": "n", "ᵏ": "k", "⁺": "+"}
SUB = {"₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "ₖ": "k", "ᵢ": "i", "ⱼ": "j", "ₙ": "n", "ₚ": "p", "ₜ": "t"}
FUNCS = ["cos", "sin", "blockdiag", "diag", "tr", "det", "Re", "Im", "exp", "max", "min", "sup", "inf", "log", "rank", "sign", "arg",
         "Var", "lcm", "gcd", "deg", "cond", "span"]
OPNAME = {"cos", "sin", "exp", "max", "min", "sup", "inf", "log", "det", "deg", "gcd", "arg"}
MATHCH = {"ℓ"} | set(GREEK) | set(SYM) | set(SUP) | set(SUB) | set("^=<>+") | {"ŷ", "λ̇", "̂", "̇"}
PROSE_SINGLE = {"a"}  # English words that are single letters

def to_tex(s: str) -> str:
    s = s.replace(r"\_", "_").replace(r"\*", "*").replace(r"\|", "|")
    s = re.sub(r"_([A-Za-z]{2,3})\b", r"_{\\mathrm{\1}}", s) if "_min" in s or "_max" in s else s
    s = s.replace("Σ̂", r"\hat\Sigma ").replace("ŷ", r"\hat y").replace("λ̇", r"\dot\lambda")
    s = re.sub(r"(\w)\u0302", r"\\hat{\1}", s)
    s = re.sub(r"(\w)\u0307", r"\\dot{\1}", s)
    # superscript runs
    def sup(m):
        t = "".join(SUP[c] for c in m.group(0))
        return "^{" + t.strip() + "}" if len(m.group(0)) > 1 else "^" + t
    s = re.sub("[" + "".join(SUP) + "]+", sup, s)
    s = re.sub("[" + "".join(SUB) + "]+", lambda m: "_{" + "".join(SUB[c] for c in m.group(0)) + "}", s)
    s = re.sub(r"\*", "^*", s)
    s = re.sub(r"\^\*\^\{([^{}]*)\}", r"^{*\1}", s)
    s = re.sub(r"\^\*\^(\\top|\w)", r"^{*\1}", s)
    s = s.replace("^*^", "^{*}^")  # rare
    s = re.sub(r"\^\*_", "^*_", s)
    for k, v in {**GREEK, **SYM}.items():
        s = s.replace(k, v + " ")
    for f in FUNCS:
        rep = ("\\" + f) if f in OPNAME else (r"\operatorname{" + f + "}")
        s = re.sub(r"(?<![\\A-Za-z{])" + f + r"(?=[(\s])", lambda m, rep=rep: rep, s)
    s = re.sub(r"(?<![\\A-Za-z])(sup|max|min|inf)(?=_)", r"\\\1", s)
    s = re.sub(r"\bE\[", r"\\mathbb{E}[", s)
    s = re.sub(r"(?<![A-Za-z\\])conj\(([^()]*)\)", r"\\overline{\1}", s)
    out, stack = [], []
    for i, ch in enumerate(s):
        if ch == "{":
            group = i > 0 and (s[i - 1] in "_^" or re.search(r"\\[A-Za-z]+$", s[:i]))
            stack.append(bool(group))
            out.append("{" if group else r"\{")
        elif ch == "}":
            group = stack.pop() if stack else True
            out.append("}" if group else r"\}")
        else:
            out.append(ch)
    s = "".join(out)
    s = re.sub(r"_([A-Za-z0-9]{2,})\b", r"_{\1}", s)
    s = re.sub(r"\\sqrt \(([^()]*)\)", r"\\sqrt{\1}", s)
    s = re.sub(r" +", " ", s)
    s = re.sub(r" ([_^}),;])", r"\1", s)
    s = s.replace("{ ", "{")
    return s.strip()

def mathy(tok: str) -> bool:
    if re.fullmatch(r"\([a-h]\)[,.:;]?", tok):
        return False
    if re.match(r"^[A-Za-z]{1,2}(\\_\w+)?\(", tok):
        return True
    core = tok.strip(",.;:()[]{}")
    if not core:
        return tok in ("(", ")")
    if any(c in MATHCH for c in core) or r"\_" in core or r"\*" in core:
        return True
    if core in {"=", "<", ">", "+", "|", "−", "/", "-"}:
        return True
    if len(core) == 1 and core.isalpha() and core not in PROSE_SINGLE:
        return True
    if re.fullmatch(r"\d+[a-z]", core):
        return True
    sub = r"[A-Za-z]{1,2}\*?_(\{[^}]*\}|[A-Za-z0-9]{1,3})(\([^()]*\))?|[A-Za-z]\*(_\w+)?"
    if re.fullmatch(sub, core) or re.fullmatch(sub, tok.rstrip(",.;:").lstrip("(")):
        return True
    if re.fullmatch(r"\|[^|]+\|", core):
        return True
    if re.fullmatch(r"[A-Za-z]\([^()]*\)", core) or re.fullmatch(r"(" + "|".join(FUNCS) + r")\(.*", core):
        return True
    if re.fullmatch(r"[A-Za-z]_?\d", core):
        return False
    return False

ENGLISH = {"if", "in", "is", "at", "of", "on", "to", "up", "and", "the", "for", "or", "as", "by", "be", "it", "an", "we",
           "no", "so", "its", "per", "all", "one", "not", "are", "has", "few", "then", "else", "iff"}
OPS = {"=", "≤", "≥", "≠", "<", ">", "+", "−", "·", "∈", "→", "≈"}


def glue(tok: str) -> bool:  # may sit inside a formula but not start or end it
    core = tok.strip(",.;:")
    return bool(re.fullmatch(r"[\d./(){}\[\],…−-]+|\(?\d+(\.\d+)?e[-+−]?\d+\)?", core)) or core in FUNCS

def convert_segment(seg: str, wrap: Callable[[str], str | None] = lambda tex: f"${tex}$") -> str:
    """``seg`` with each formula span replaced by ``wrap(its LaTeX)``, or kept as it is where ``wrap`` gives None."""
    toks = re.split(r"( +)", seg)
    words = [t for t in toks if t.strip()]
    out, i, n = [], 0, len(words)
    while i < n:
        sentence_start = i == 0 or re.search(r"[.:]$", words[i - 1])
        unit = words[i].strip(",.;:)") in ("s", "h", "ms") and i > 0 and re.fullmatch(r"[\d.,]+", words[i - 1])
        starts = not unit and mathy(words[i]) or (re.fullmatch(r"\(?[A-Za-z]{1,3}", words[i]) and i + 1 < n and words[i + 1] in OPS and not re.fullmatch(r"[a-z]{2,3}", words[i]))
        if starts and not (words[i] in ("A", "I") and sentence_start and i + 1 < n and not mathy(words[i + 1])):
            j = i
            def depth(ws):
                t = "".join(ws)
                return (t.count("(") + t.count("[") + t.count("{") + t.count("⟨") - t.count(")") - t.count("]") - t.count("}")
                        - t.count("⟩"))
            while j + 1 < n:
                if re.search(r"[,;:]$", words[j]) and depth(words[i:j + 1]) <= 0:
                    break
                if words[j].endswith(".") and words[j + 1][:1].isupper():
                    break
                nxt = words[j + 1]
                if re.fullmatch(r"[smh]|ms", nxt.strip(",.;:)")) and re.fullmatch(r"[\d.]+", words[j]):
                    break
                if depth(words[i:j + 1]) > 0 and nxt.strip("(),.;:") not in ENGLISH and not re.search(r"[a-z]{3,}", nxt.replace(r"\_", "")):
                    j += 1
                    continue
                short = nxt.strip("(),.;:") not in ENGLISH and re.fullmatch(r"\(?[A-Za-z]{1,3}\)?[,.;:]?", nxt) and (re.search(r"[=<>≤≥≠+−·×∈]$", words[j]) or (j + 2 < n and words[j + 2] in OPS))
                if short or mathy(nxt) or (glue(nxt) and ((j + 2 < n and mathy(words[j + 2])) or re.search(r"[=<>≤≥≠+−·×∈/]$", words[j]))):
                    j += 1
                else:
                    break
            phrase = " ".join(words[i:j + 1])
            # trailing prose punctuation and unbalanced brackets stay outside
            lead, trail = "", ""
            while phrase and phrase[-1] in ",.;:" :
                trail = phrase[-1] + trail
                phrase = phrase[:-1]
            while phrase.endswith(")") and phrase.count(")") > phrase.count("("):
                trail = ")" + trail
                phrase = phrase[:-1]
            while phrase[:1] in ("*", "_") and phrase[:2] not in (r"\_", r"\*"):
                lead += phrase[0]
                phrase = phrase[1:]
            while phrase.startswith("(") and phrase.count("(") > phrase.count(")"):
                lead += "("; phrase = phrase[1:]
            while phrase and phrase[-1] in ",.;:" :
                trail = phrase[-1] + trail
                phrase = phrase[:-1]
            if phrase in {"", "=", "-", "/", "+", "|"} or re.fullmatch(r"[\d./,\-]+", phrase):
                out.append(lead + phrase + trail)
            else:
                rendered = wrap(to_tex(phrase))
                out.append(lead + (phrase if rendered is None else rendered) + trail)
            i = j + 1
        else:
            out.append(words[i])
            i += 1
    lead_ws = re.match(r"^ *", seg).group(0)
    return lead_ws + " ".join(out) + (" " if seg.endswith(" ") and out else "")


OPERATOR_ENDS = re.compile(r"^\s*(\\(le|ge|ne|approx|to|in|cdot|times)|[=<>+-])|(\\(le|ge|ne|approx|to|in|cdot|times)|[=<>+-])\s*$")


def math_spans(text: str) -> str:
    """``text`` (prose, no code or roles in it) with each formula span as a ``:math:`` role.

    Conservative: a span that starts or ends with an operator, or holds a lower-case word of three or more letters
    that is not a function name, is left as it is (Unicode text), since its edge was not found."""
    if not text.strip():
        return text

    def wrap(tex: str) -> str | None:
        words = [w for w in re.findall(r"(?<![\\A-Za-z])[a-z]{3,}", tex) if w not in FUNCS]
        return None if OPERATOR_ENDS.search(tex) or words else f":math:`{tex}`"

    return convert_segment(text, wrap)
