//! Bitwise operations on ints (two's complement, 64 bits), as Soufflé's
//! `band`, `bor`, `bxor`, `bnot`, `bshl`, `bshr` and `bshru` compute them.

use fold_runtime::value::{from_int, to_int, Word};

use fold_runtime::plan::builtin::Fault;

builtins! {
    /// The bits set in both.
    ///
    ///     bit_and(12, 10)   // 8
    BIT_AND: bit_and(int, int) -> int = |a, _| Ok(from_int(to_int(a[0]) & to_int(a[1])));

    /// The bits set in either.
    ///
    ///     bit_or(12, 10)   // 14
    BIT_OR: bit_or(int, int) -> int = |a, _| Ok(from_int(to_int(a[0]) | to_int(a[1])));

    /// The bits set in exactly one.
    ///
    ///     bit_xor(12, 10)   // 6
    BIT_XOR: bit_xor(int, int) -> int = |a, _| Ok(from_int(to_int(a[0]) ^ to_int(a[1])));

    /// Every bit flipped.
    ///
    ///     bit_not(0)   // -1
    BIT_NOT: bit_not(int) -> int = |a, _| Ok(from_int(!to_int(a[0])));

    /// `shl(x, n)`: `x` shifted left by `n` bits (bits past 64 are lost);
    /// `n` outside 0..64 faults (`InvalidArgument`).
    ///
    ///     shl(3, 2)    // 12
    ///     shl(1, 64)   // fault InvalidArgument
    SHL: shl(int, int) -> int = |a, _| shift(a, |x, n| x << n);

    /// `shr(x, n)`: `x` shifted right by `n` bits, keeping the sign;
    /// `n` outside 0..64 faults (`InvalidArgument`).
    ///
    ///     shr(-8, 1)   // -4
    SHR: shr(int, int) -> int = |a, _| shift(a, |x, n| x >> n);

    /// `shr_unsigned(x, n)`: `x` shifted right by `n` bits, filling with
    /// zeros; `n` outside 0..64 faults (`InvalidArgument`).
    ///
    ///     shr_unsigned(-1, 60)   // 15
    SHR_UNSIGNED: shr_unsigned(int, int) -> int =
        |a, _| shift(a, |x, n| ((x as u64) >> n) as i64);
}

fn shift(a: &[Word], f: impl Fn(i64, u32) -> i64) -> Result<Word, Fault> {
    let n = to_int(a[1]);
    if !(0..64).contains(&n) {
        return Err(Fault::InvalidArgument);
    }
    Ok(from_int(f(to_int(a[0]), n as u32)))
}
