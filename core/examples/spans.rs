fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    match gitops_kit::yaml::parse_str(&text, "x") {
        Err(e) => println!("ERR {} {}\n{}", e.code(), e, e.excerpt()),
        Ok(docs) => {
            for d in &docs {
                println!("doc {} span {:?}", d.index(), d.span().range());
                let Some(r) = d.root() else {
                    println!(" empty");
                    continue;
                };
                let mut stack = vec![(r, 0)];
                while let Some((n, depth)) = stack.pop() {
                    let s = n.span();
                    println!(
                        "{}{:?} {}:{}-{}:{} {:?} {:?} {:?}",
                        "  ".repeat(depth),
                        n.kind(),
                        s.start.line,
                        s.start.column,
                        s.end.line,
                        s.end.column,
                        n.source_text(),
                        n.tag(),
                        n.style()
                    );
                    for (k, v) in n.entries().rev() {
                        stack.push((v, depth + 1));
                        stack.push((k, depth + 1));
                    }
                    for i in n.items().rev() {
                        stack.push((i, depth + 1));
                    }
                }
                println!(
                    "json {}",
                    r.to_json()
                        .map(|v| v.to_string())
                        .unwrap_or_else(|e| e.to_string())
                );
            }
        }
    }
}
