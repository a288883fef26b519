fn main() {
    let root = std::env::args().nth(1).unwrap();
    let opts = if std::env::var("STRICT").is_ok() {
        gitops_kit::yaml::ParseOptions::default()
    } else {
        gitops_kit::yaml::ParseOptions::lenient()
    };
    let mut n = 0;
    let mut errs = 0;
    let mut res = 0;
    let mut probs = 0;
    let mut stack = vec![std::path::PathBuf::from(root)];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
            continue;
        }
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !["yaml", "yml", "json"].contains(&ext) {
            continue;
        }
        n += 1;
        match gitops_kit::manifest::ManifestSet::from_path(&p, &opts) {
            Ok(s) => {
                res += s.len();
                probs += s.problems().len();
                for r in s.resources() {
                    if let Err(e) = r.to_json() {
                        println!("JSON {e}");
                    }
                }
            }
            Err(e) => {
                errs += 1;
                println!("{} {}", e.code(), e);
            }
        }
    }
    println!("files {n} errors {errs} resources {res} problems {probs}");
}
