//! Fuzz input decoded into the mutation vocabulary (`crate::mutate`): the byte-level edits
//! the structure-aware targets and the differential fuzzer make, aimed at a dissected field
//! picked by index (modulo the number of top-level fields, so an input keeps its meaning as
//! dissections gain finer parts).

use super::Source;
use crate::mutate::{CutAt, Edit, Expr, Op, Place, Target};

/// Decodes one edit from fuzz input. The kinds and their order are fixed: committed
/// regression inputs depend on them.
pub fn decode_edit(s: &mut Source<'_>) -> Edit {
    let kind = s.u8() % 7;
    let field = usize::from(s.u8());
    let op = match kind {
        0 => Op::Flip(u32::from(s.u16())),
        1 => Op::Write(s.u16().to_le_bytes().to_vec()),
        2 => Op::Write(s.u32().to_le_bytes().to_vec()),
        3 => Op::Cut(CutAt::Start(i64::from(i8::from_le_bytes([s.u8()])))),
        4 => Op::Insert(Expr::Bytes(s.var_bytes(32).to_vec())),
        5 => Op::SwapPrefix(Target::Nth(usize::from(s.u8()))),
        _ => Op::Fill(s.u8()),
    };
    Edit::At(
        Place {
            target: Target::Nth(field),
            sel: None,
        },
        op,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mutate::Layout;
    use crate::wire::Dissection;

    #[test]
    fn edits_aim_at_fields() {
        let mut d = Dissection::default();
        d.field("a", 0..2, "");
        d.field("b", 2..6, "");
        d.part("b.x", 2..3, "", crate::wire::FieldKind::Bytes);
        let layout = Layout::top_level(&d);
        let bytes = [0u8; 6];
        // kind 2 (u32) at field 1, value 0x04030201.
        let set = decode_edit(&mut Source::new(&[2, 1, 1, 2, 3, 4]));
        assert_eq!(set.applied(&bytes, &layout), [0, 0, 1, 2, 3, 4]);
        let cut = decode_edit(&mut Source::new(&[3, 1, 1]));
        assert_eq!(cut.applied(&bytes, &layout).len(), 3);
        // Field 2 is field 0 again: parts are not counted.
        let flip = decode_edit(&mut Source::new(&[0, 2, 9, 0]));
        assert_eq!(flip.applied(&bytes, &layout), [0, 2, 0, 0, 0, 0]);
        assert_eq!(flip.describe(&layout), "a flip 9");
        let swap = decode_edit(&mut Source::new(&[5, 0, 1]));
        assert_eq!(
            swap.applied(&[1, 2, 3, 4, 5, 6], &layout),
            [3, 4, 1, 2, 5, 6]
        );
        assert_eq!(swap.describe(&layout), "a swap-prefix b");
    }
}
