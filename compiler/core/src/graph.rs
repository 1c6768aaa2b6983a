//! Graphs of calls: strongly connected components, and the recursion
//! groups of a program's globals (functions that call each other, directly
//! or through others, share a group).

use crate::{Expr, Module};
use std::collections::HashMap;

/// Strongly connected components of the graph `edges` (node → nodes it
/// depends on), dependencies first. Within a component, nodes keep their order.
pub fn components(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct Tarjan<'a> {
        edges: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.next);
            self.low[v] = self.next;
            self.next += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in &self.edges[v] {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                self.out.push(component);
            }
        }
    }
    let n = edges.len();
    let mut tarjan = Tarjan {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if tarjan.index[v].is_none() {
            tarjan.visit(v);
        }
    }
    tarjan.out
}

/// For every global of `modules` (the first of each name), the index of
/// its recursion group: two globals share one exactly when each may call
/// the other, directly or through other globals. A global that calls
/// nothing of its own group is alone in it.
pub fn recursion_groups(modules: &[Module]) -> HashMap<&str, usize> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut bodies = Vec::new();
    for global in modules.iter().flat_map(|module| &module.globals) {
        if !index.contains_key(global.name.as_str()) {
            index.insert(&global.name, bodies.len());
            bodies.push(&global.body);
        }
    }
    let edges: Vec<Vec<usize>> = bodies
        .iter()
        .map(|body| {
            let mut called = Vec::new();
            let mut stack: Vec<&Expr> = vec![body];
            while let Some(expr) = stack.pop() {
                if let Expr::Global(name) = expr
                    && let Some(&callee) = index.get(name.as_str())
                {
                    called.push(callee);
                }
                stack.extend(expr.children());
            }
            called.sort_unstable();
            called.dedup();
            called
        })
        .collect();
    let mut group_of = vec![0; bodies.len()];
    for (group, component) in components(&edges).into_iter().enumerate() {
        for node in component {
            group_of[node] = group;
        }
    }
    index.into_iter().map(|(name, node)| (name, group_of[node])).collect()
}

#[cfg(test)]
mod tests {
    use super::components;

    #[test]
    fn dependencies_come_first_and_cycles_stay_together() {
        // 0 → 1, 1 → 2, 2 → 1, 3 alone
        let order = components(&[vec![1], vec![2], vec![1], vec![]]);
        assert_eq!(order, vec![vec![1, 2], vec![0], vec![3]]);
    }
}
