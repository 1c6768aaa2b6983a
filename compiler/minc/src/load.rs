//! Loading a program from disk: the file named on the command line, and the
//! modules it imports that sit beside it (`import Geometry` finds
//! `Geometry.min` in the same folder), transitively.

use min_analysis::Workspace;
use min_analysis::db::SourceFile;
use std::path::{Path, PathBuf};

/// Adds `path` and the modules it imports from its folder. Returns the file,
/// or the message of the first file that cannot be read.
pub fn load(workspace: &mut Workspace, path: &Path) -> Result<SourceFile, String> {
    let root = add(workspace, path)?;
    let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut pending = vec![root];
    while let Some(file) = pending.pop() {
        let imports: Vec<String> = workspace.syntax(file).imports.iter().map(|i| i.module.text.clone()).collect();
        for module in imports {
            let candidate: PathBuf = folder.join(format!("{module}.min"));
            if !workspace.has_module(&module) && candidate.is_file() {
                pending.push(add(workspace, &candidate)?);
            }
        }
    }
    Ok(root)
}

fn add(workspace: &mut Workspace, path: &Path) -> Result<SourceFile, String> {
    let text = std::fs::read_to_string(path).map_err(|error| format!("cannot read {}: {error}", path.display()))?;
    Ok(workspace.add_file(&path.display().to_string(), text))
}
