"""Four float64 lanes as one value in compiled code: explicit SIMD for the GD kernels (numba).

numba's own loops are vectorized by LLVM when it sees fit, which for the short rows of these
kernels (20 to 64 doubles) it mostly does not.  This module gives numba a value type ``Vec4``
held in one 256-bit register (LLVM ``<4 x double>``) and a handful of operations on it, each
lowered to one LLVM instruction or intrinsic:

    vload(a, i), vstore(a, i, x)   a[i : i + 4] of a C-contiguous float64 array (flat index i)
    vzero(), vsplat(s), vlane(x, q)
    vadd, vmul, vfma(a, b, c) = a·b + c (fused, rounded once, as IEEE 754 ``fusedMultiplyAdd``)
    sfma(x, y, z)                  the scalar x·y + z, rounded once
    vstore_t4(a, i, stride, x0, x1, x2, x3)   the transpose: a[i + q·stride : … + 4] = (x0[q], …, x3[q])

Every operation acts lane by lane (``vstore_t4`` only moves values), and every result is the
correctly rounded value of its IEEE operation, so four lanes compute exactly what four scalar
runs of the same sequence of operations compute: this is what makes the kernels' results
independent of which models share a register (``dense_kernels``).

Indices are not bounds-checked (the kernels compute them from the array shapes).  numba keys a
kernel cached on disk by its own file: after a change here, clear the cache (or touch the kernels).
"""

from __future__ import annotations

from typing import Any

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.core.errors import TypingError
from numba.extending import intrinsic, models, register_model

__all__ = ["sfma", "vadd", "vec4", "vfma", "vlane", "vload", "vmul", "vsplat", "vstore", "vstore_t4", "vzero"]

_V4 = ir.VectorType(ir.DoubleType(), 4)
_I32 = ir.IntType(32)


class Vec4Type(types.Type):
    """The numba type of four float64 lanes."""

    def __init__(self) -> None:
        super().__init__(name="Vec4")


vec4 = Vec4Type()


@register_model(Vec4Type)
class _Vec4Model(models.PrimitiveModel):
    def __init__(self, dmm: Any, fe_type: Any) -> None:
        super().__init__(dmm, fe_type, _V4)


def _check_array(a: Any) -> None:
    if not (isinstance(a, types.Array) and a.dtype == types.float64 and a.layout == "C"):
        raise TypingError(f"a C-contiguous float64 array is needed, got {a}")


def _address(context: Any, builder: Any, aryty: Any, ary: Any, idx: Any) -> Any:
    data = context.make_array(aryty)(context, builder, ary).data
    return builder.bitcast(builder.gep(data, [idx]), _V4.as_pointer())


@intrinsic
def _vload(typingctx: Any, a: Any, i: Any) -> Any:
    """The four doubles a[i : i + 4] (flat index into a C-contiguous array)."""
    _check_array(a)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return builder.load(_address(context, builder, sig.args[0], args[0], args[1]), align=8)

    return vec4(a, types.intp), codegen


@intrinsic
def _vstore(typingctx: Any, a: Any, i: Any, x: Any) -> Any:
    """a[i : i + 4] = x."""
    _check_array(a)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        builder.store(args[2], _address(context, builder, sig.args[0], args[0], args[1]), align=8)
        return context.get_dummy_value()

    return types.void(a, types.intp, vec4), codegen


@intrinsic
def _vstore_t4(typingctx: Any, a: Any, i: Any, stride: Any, x0: Any, x1: Any, x2: Any, x3: Any) -> Any:
    """a[i + q·stride : i + q·stride + 4] = (x0[q], x1[q], x2[q], x3[q]) for q = 0..3 (a 4×4 transpose)."""
    _check_array(a)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        ary, idx, step, r0, r1, r2, r3 = args

        def mix(x: Any, y: Any, mask: list[int]) -> Any:
            return builder.shuffle_vector(x, y, ir.Constant(ir.VectorType(_I32, 4), mask))

        lo01, hi01 = mix(r0, r1, [0, 4, 2, 6]), mix(r0, r1, [1, 5, 3, 7])  # (r0₀ r1₀ r0₂ r1₂), (r0₁ r1₁ r0₃ r1₃)
        lo23, hi23 = mix(r2, r3, [0, 4, 2, 6]), mix(r2, r3, [1, 5, 3, 7])
        cols = [mix(lo01, lo23, [0, 1, 4, 5]), mix(hi01, hi23, [0, 1, 4, 5]),
                mix(lo01, lo23, [2, 3, 6, 7]), mix(hi01, hi23, [2, 3, 6, 7])]
        for q, col in enumerate(cols):
            at = builder.add(idx, builder.mul(step, ir.Constant(step.type, q)))
            builder.store(col, _address(context, builder, sig.args[0], ary, at), align=8)
        return context.get_dummy_value()

    return types.void(a, types.intp, types.intp, vec4, vec4, vec4, vec4), codegen


@intrinsic
def _vzero(typingctx: Any) -> Any:
    """(0, 0, 0, 0)."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return ir.Constant(_V4, [0.0] * 4)

    return vec4(), codegen


@intrinsic
def _vsplat(typingctx: Any, s: Any) -> Any:
    """(s, s, s, s)."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        x = builder.insert_element(ir.Constant(_V4, ir.Undefined), args[0], ir.Constant(_I32, 0))
        return builder.shuffle_vector(x, x, ir.Constant(ir.VectorType(_I32, 4), [0, 0, 0, 0]))

    return vec4(types.float64), codegen


@intrinsic
def _vlane(typingctx: Any, x: Any, q: Any) -> Any:
    """Lane q of x (0 ≤ q < 4)."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return builder.extract_element(args[0], args[1])

    return types.float64(vec4, types.intp), codegen


@intrinsic
def _vadd(typingctx: Any, x: Any, y: Any) -> Any:
    """x + y, lane by lane."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return builder.fadd(args[0], args[1])

    return vec4(vec4, vec4), codegen


@intrinsic
def _vmul(typingctx: Any, x: Any, y: Any) -> Any:
    """x · y, lane by lane."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        return builder.fmul(args[0], args[1])

    return vec4(vec4, vec4), codegen


@intrinsic
def _vfma(typingctx: Any, x: Any, y: Any, z: Any) -> Any:
    """x · y + z, lane by lane, rounded once (``llvm.fma``)."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(_V4, [_V4] * 3), "llvm.fma.v4f64")
        return builder.call(fma, args)

    return vec4(vec4, vec4, vec4), codegen


@intrinsic
def _sfma(typingctx: Any, x: Any, y: Any, z: Any) -> Any:
    """x · y + z for float64 scalars, rounded once: the scalar twin of ``vfma``."""

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        dbl = ir.DoubleType()
        fma = cgutils.get_or_insert_function(builder.module, ir.FunctionType(dbl, [dbl] * 3), "llvm.fma.f64")
        return builder.call(fma, args)

    return types.float64(types.float64, types.float64, types.float64), codegen


# The public names, typed for callers in compiled code: numba passes the typing context itself.
sfma: Any = _sfma
vadd: Any = _vadd
vfma: Any = _vfma
vlane: Any = _vlane
vload: Any = _vload
vmul: Any = _vmul
vsplat: Any = _vsplat
vstore: Any = _vstore
vstore_t4: Any = _vstore_t4
vzero: Any = _vzero
