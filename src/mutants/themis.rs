pub(super) fn entries() -> Vec<super::Entry> {
    vec![]
}
