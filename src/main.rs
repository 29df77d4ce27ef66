//! The `sealcheck` command: a thin shell over the library's `cli`.

fn main() -> std::process::ExitCode {
    sealcheck::cli::main()
}
