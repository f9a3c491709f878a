//! Builds the vendored libjpeg-turbo 3.1.0 (`libjpeg-turbo/`) into one static `libturbojpeg.a`
//! with the `cc` crate, as its CMakeLists.txt builds `turbojpeg-static`, so that a machine needs
//! only a C compiler: the upstream crate needs cmake.
//!
//! On x86_64, libjpeg-turbo's SIMD code is NASM assembly: it is assembled when `nasm` is on the
//! PATH, and otherwise left out with a warning (the library then runs its plain C paths, which
//! decode and encode the same images, only slower).

use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const VERSION: &str = "3.1.0";
const VERSION_NUMBER: &str = "3001000";
const COPYRIGHT_YEAR: &str = "1991-2024";

/// Compiled for 8-, 12- and 16-bit samples (CMakeLists' JPEG16_SOURCES).
const EVERY_PRECISION: &[&str] = &[
    "jcapistd.c",
    "jccolor.c",
    "jcdiffct.c",
    "jclossls.c",
    "jcmainct.c",
    "jcprepct.c",
    "jcsample.c",
    "jdapistd.c",
    "jdcolor.c",
    "jddiffct.c",
    "jdlossls.c",
    "jdmainct.c",
    "jdpostct.c",
    "jdsample.c",
    "jutils.c",
];

/// Compiled for 8- and 12-bit samples (the rest of JPEG12_SOURCES).
const LOSSY_PRECISIONS: &[&str] = &[
    "jccoefct.c",
    "jcdctmgr.c",
    "jdcoefct.c",
    "jddctmgr.c",
    "jdmerge.c",
    "jfdctfst.c",
    "jfdctint.c",
    "jidctflt.c",
    "jidctfst.c",
    "jidctint.c",
    "jidctred.c",
    "jquant1.c",
    "jquant2.c",
];

/// Compiled once, for 8-bit samples: the rest of JPEG_SOURCES with arithmetic coding (on by
/// default upstream), then the TurboJPEG API and the image files it reads and writes.
const EIGHT_BIT_ONLY: &[&str] = &[
    "jcapimin.c",
    "jchuff.c",
    "jcicc.c",
    "jcinit.c",
    "jclhuff.c",
    "jcmarker.c",
    "jcmaster.c",
    "jcomapi.c",
    "jcparam.c",
    "jcphuff.c",
    "jctrans.c",
    "jdapimin.c",
    "jdatadst.c",
    "jdatasrc.c",
    "jdhuff.c",
    "jdicc.c",
    "jdinput.c",
    "jdlhuff.c",
    "jdmarker.c",
    "jdmaster.c",
    "jdphuff.c",
    "jdtrans.c",
    "jerror.c",
    "jfdctflt.c",
    "jmemmgr.c",
    "jmemnobs.c",
    "jpeg_nbits.c",
    "jaricom.c",
    "jcarith.c",
    "jdarith.c",
    "turbojpeg.c",
    "transupp.c",
    "jdatadst-tj.c",
    "jdatasrc-tj.c",
    "rdbmp.c",
    "wrbmp.c",
];

/// The PPM reader and writer, which the TurboJPEG API has for every precision.
const PPM: &[&str] = &["rdppm.c", "wrppm.c"];

/// simd/CMakeLists.txt's x86_64 sources.
const X86_64_ASSEMBLY: &[&str] = &[
    "jsimdcpu",
    "jfdctflt-sse",
    "jccolor-sse2",
    "jcgray-sse2",
    "jchuff-sse2",
    "jcphuff-sse2",
    "jcsample-sse2",
    "jdcolor-sse2",
    "jdmerge-sse2",
    "jdsample-sse2",
    "jfdctfst-sse2",
    "jfdctint-sse2",
    "jidctflt-sse2",
    "jidctfst-sse2",
    "jidctint-sse2",
    "jidctred-sse2",
    "jquantf-sse2",
    "jquanti-sse2",
    "jccolor-avx2",
    "jcgray-avx2",
    "jcsample-avx2",
    "jdcolor-avx2",
    "jdmerge-avx2",
    "jdsample-avx2",
    "jfdctint-avx2",
    "jidctint-avx2",
    "jquanti-avx2",
];

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let root = manifest.join("libjpeg-turbo");
    let src = root.join("src");
    println!("cargo:rerun-if-changed=libjpeg-turbo");
    println!("cargo:rerun-if-env-changed=PATH");

    let elf_x86_64 = env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64")
        && env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux");
    let simd = elf_x86_64 && nasm_is_installed();
    if elf_x86_64 && !simd {
        println!(
            "cargo:warning=nasm is not installed: libjpeg-turbo is built without its SIMD code, \
             so photos take longer to process (apt-get install nasm, then rebuild)"
        );
    }

    let include = out.join("include");
    fs::create_dir_all(&include).expect("create the include directory");
    write_configured_headers(&src, &include, simd);

    let mut objects = Vec::new();
    let other_precisions: [(u8, &[&[&str]]); 2] =
        [(12, &[EVERY_PRECISION, LOSSY_PRECISIONS, PPM]), (16, &[EVERY_PRECISION, PPM])];
    for (bits, sources) in other_precisions {
        let dir = out.join(format!("jpeg{bits}"));
        fs::create_dir_all(&dir).expect("create an object directory");
        objects.extend(
            compiler(&include, &src)
                .out_dir(&dir)
                .define("BITS_IN_JSAMPLE", Some(bits.to_string().as_str()))
                .define("PPM_SUPPORTED", None)
                .files(sources.concat().iter().map(|file| src.join(file)))
                .compile_intermediates(),
        );
    }
    if simd {
        objects.extend(assemble(&root.join("simd"), &out.join("simd")));
    }

    let mut library = compiler(&include, &src);
    library
        .define("BMP_SUPPORTED", None)
        .define("PPM_SUPPORTED", None)
        .files(
            [EVERY_PRECISION, LOSSY_PRECISIONS, EIGHT_BIT_ONLY, PPM]
                .concat()
                .iter()
                .map(|file| src.join(file)),
        )
        .objects(objects);
    if simd {
        library.file(root.join("simd/x86_64/jsimd.c"));
    }
    library.compile("turbojpeg");

    // What C code built against this library would include (jpeglib.h needs the generated
    // jconfig.h beside it), as turbojpeg-sys announces it.
    println!("cargo:include={},{}", include.display(), src.display());
}

/// The C compiler, set as libjpeg-turbo's release build is: optimised even in a debug build of
/// the workspace, so that tests decode photos at the speed the server does.
fn compiler(include: &Path, src: &Path) -> cc::Build {
    let mut build = cc::Build::new();
    build.include(include).include(src).opt_level(3).warnings(false).pic(true);
    build
}

/// jconfig.h, jconfigint.h and jversion.h from their templates, with the values libjpeg-turbo's
/// CMakeLists.txt finds for GCC or Clang.
fn write_configured_headers(src: &Path, include: &Path, simd: bool) {
    let pointer_bits: u32 = env::var("CARGO_CFG_TARGET_POINTER_WIDTH")
        .expect("CARGO_CFG_TARGET_POINTER_WIDTH")
        .parse()
        .expect("a pointer width in bits");
    let size_t = (pointer_bits / 8).to_string();
    let values = [
        ("JPEG_LIB_VERSION", "62"),
        ("VERSION", VERSION),
        ("LIBJPEG_TURBO_VERSION_NUMBER", VERSION_NUMBER),
        ("BUILD", "smartcity"),
        ("CMAKE_PROJECT_NAME", "libjpeg-turbo"),
        ("HIDDEN", "__attribute__((visibility(\"hidden\")))"),
        ("INLINE", "__inline__ __attribute__((always_inline))"),
        ("THREAD_LOCAL", "__thread"),
        ("SIZE_T", size_t.as_str()),
        ("COPYRIGHT_YEAR", COPYRIGHT_YEAR),
    ];
    let mut defined =
        vec!["C_ARITH_CODING_SUPPORTED", "D_ARITH_CODING_SUPPORTED", "HAVE_BUILTIN_CTZL"];
    if simd {
        defined.push("WITH_SIMD");
    }
    for name in ["jconfig.h", "jconfigint.h", "jversion.h"] {
        let template =
            fs::read_to_string(src.join(format!("{name}.in"))).expect("read a header template");
        fs::write(include.join(name), configure(&template, &values, &defined))
            .expect("write a header");
    }
}

/// CMake's configure_file: `@NAME@` becomes its value; `#cmakedefine NAME [value]` becomes a
/// `#define` when NAME is in `defined`, else a comment.
fn configure(template: &str, values: &[(&str, &str)], defined: &[&str]) -> String {
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("@{name}@"), value);
    }
    assert!(!text.contains('@'), "a template value is missing");
    text.lines()
        .map(|line| match line.strip_prefix("#cmakedefine ") {
            Some(rest) => {
                let name = rest.split_whitespace().next().unwrap_or_default();
                if defined.contains(&name) {
                    format!("#define {rest}")
                } else {
                    format!("/* #undef {name} */")
                }
            }
            None => line.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

fn nasm_is_installed() -> bool {
    Command::new("nasm").arg("-v").output().is_ok_and(|output| output.status.success())
}

/// The x86_64 SIMD sources, assembled by nasm as simd/CMakeLists.txt does for ELF.
fn assemble(simd: &Path, out: &Path) -> Vec<PathBuf> {
    fs::create_dir_all(out).expect("create the SIMD object directory");
    X86_64_ASSEMBLY
        .iter()
        .map(|name| {
            let object = out.join(format!("{name}.o"));
            let status = Command::new("nasm")
                .args(["-f", "elf64", "-DELF", "-D__x86_64__", "-DPIC"])
                .arg(format!("-I{}/", simd.join("nasm").display()))
                .arg(format!("-I{}/", simd.join("x86_64").display()))
                .arg("-o")
                .arg(&object)
                .arg(simd.join("x86_64").join(format!("{name}.asm")))
                .status()
                .expect("run nasm");
            assert!(status.success(), "nasm failed on {name}.asm");
            object
        })
        .collect()
}
