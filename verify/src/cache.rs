//! The cache of definitive answers: one JSON file per query, named by the
//! query's key, in a directory. Proofs and refutations (with their models)
//! are stored; unknown answers never are, since a longer timeout or another
//! machine may decide them. A file that cannot be read, does not parse, or
//! belongs to another key is ignored, and the query is solved again.

use crate::answer::Answer;
use std::path::{Path, PathBuf};

/// A cache directory.
#[derive(Clone, Debug)]
pub(crate) struct Cache {
    dir: PathBuf,
}

/// What a cache file holds.
#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    /// The key, checked on reading (a renamed or copied file is not trusted).
    key: String,
    /// The answer.
    answer: Answer,
}

impl Cache {
    /// The cache in `dir` (created on the first store).
    pub(crate) fn new(dir: &Path) -> Cache {
        Cache { dir: dir.to_path_buf() }
    }

    /// The file of `key`.
    fn file(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}.json"))
    }

    /// The stored answer for `key`, if there is a valid one.
    pub(crate) fn get(&self, key: &str) -> Option<Answer> {
        let text = std::fs::read_to_string(self.file(key)).ok()?;
        let entry: Entry = serde_json::from_str(&text).ok()?;
        (entry.key == key && entry.answer.is_definitive()).then_some(entry.answer)
    }

    /// Stores a definitive `answer` for `key`; unknown answers are dropped.
    /// A failure to write only costs a later solve, so it is not reported.
    pub(crate) fn put(&self, key: &str, answer: &Answer) {
        if !answer.is_definitive() {
            return;
        }
        let entry = Entry { key: key.to_string(), answer: answer.clone() };
        let Ok(text) = serde_json::to_string(&entry) else { return };
        if std::fs::create_dir_all(&self.dir).is_err() {
            return;
        }
        // Written aside and renamed, so that a reader never sees half a file.
        let temporary = self.dir.join(format!("{key}.{}.tmp", std::process::id()));
        if std::fs::write(&temporary, text).is_ok() && std::fs::rename(&temporary, self.file(key)).is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Value;
    use std::collections::BTreeMap;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("min-verify-cache-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn definitive_answers_are_stored_and_unknown_ones_are_not() {
        let dir = scratch("store");
        let cache = Cache::new(&dir);
        let sat = Answer::Sat { values: BTreeMap::from([("min.0".to_string(), Value::Int("-3".into()))]) };
        cache.put("a", &Answer::Unsat);
        cache.put("b", &sat);
        cache.put("c", &Answer::Unknown { reason: "timeout after 1 ms".into() });
        assert_eq!(cache.get("a"), Some(Answer::Unsat));
        assert_eq!(cache.get("b"), Some(sat));
        assert_eq!(cache.get("c"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn corrupted_or_misplaced_files_are_ignored() {
        let dir = scratch("corrupt");
        let cache = Cache::new(&dir);
        cache.put("a", &Answer::Unsat);
        std::fs::write(dir.join("b.json"), "{\"key\": \"b\", \"answer\": {\"result\": ").unwrap();
        std::fs::write(dir.join("c.json"), [0xff, 0xfe, 0x00]).unwrap();
        std::fs::copy(dir.join("a.json"), dir.join("d.json")).unwrap();
        assert_eq!(cache.get("b"), None);
        assert_eq!(cache.get("c"), None);
        assert_eq!(cache.get("d"), None, "a file under another key's name");
        assert_eq!(cache.get("missing"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
