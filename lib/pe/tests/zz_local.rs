use pe::*;
#[test]
fn local_real_binaries() {
    let list = std::env::var("PE_LOCAL").unwrap_or_default();
    for path in list.split(':').filter(|p| !p.is_empty()) {
        let file = std::fs::read(path).unwrap();
        match PeImage::parse(&file) {
            Err(e) => println!("{path}: ERR {e:?}"),
            Ok(img) => {
                let relocs = img.relocations().collect::<Result<Vec<_>, _>>().map(|v| v.len());
                let exports = img.exports().map(|e| e.map(|e| e.iter().count()));
                let imports: Result<Vec<(String, usize)>, PeError> = img.imports().map(|d| d.and_then(|d| Ok((d.name().to_string(), d.imports().collect::<Result<Vec<_>,_>>()?.len())))).collect();
                let tls = img.tls().map(|t| t.map(|t| t.callbacks().count()));
                let mut m = vec![0; img.size_of_image() as usize];
                img.load_into(&mut m).unwrap();
                let rb = rebase(&mut m, 0x7FF6_0000_0000);
                let bind = bind_imports(&mut m, |_, _| Ok::<u64, ()>(0x1000));
                println!("{path}: secs {} relocs {relocs:?} exports {exports:?} tls {tls:?} rebase {rb:?} bind {bind:?}\n   imports {imports:?}", img.section_count());
            }
        }
    }
}
