//! The territorial tree: country → regions and cities of republican significance → districts →
//! polling stations. A package may stop at any level.

use std::collections::HashMap;

use crate::ids::{check_id_syntax, UnitId};

/// Index of a unit in its [`UnitTree`] (0-based, in input order).
pub type UnitIdx = usize;

/// One territorial unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unit {
    /// Stable id, e.g. `KZ-AST` or a polling-station number.
    pub id: UnitId,
    /// Parent unit; `None` for a root (normally the country).
    pub parent: Option<UnitIdx>,
    /// Free-form level name: `country`, `region`, `city`, `district`, `station`, …
    pub kind: String,
    /// Human-readable name.
    pub name: String,
}

/// A unit as read from input, before its parent is resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitInfo {
    /// See [`Unit::id`].
    pub id: String,
    /// Parent id, empty for a root.
    pub parent: String,
    /// See [`Unit::kind`].
    pub kind: String,
    /// See [`Unit::name`].
    pub name: String,
}

/// Why a list of units does not form a tree. `row` is the 0-based index of the offending unit
/// in the input, so readers can point at the file line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UnitTreeError {
    /// Bad id syntax.
    #[error("{message}")]
    BadId {
        /// Row of the unit.
        row: usize,
        /// What is wrong.
        message: String,
    },
    /// The same id twice.
    #[error("unit id {} is already used on an earlier row", crate::quote::quote(.id))]
    Duplicate {
        /// Row of the second occurrence.
        row: usize,
        /// The id.
        id: String,
    },
    /// Parent not in the list.
    #[error("parent {} of unit {} is not a unit in this file", crate::quote::quote(.parent), crate::quote::quote(.id))]
    UnknownParent {
        /// Row of the unit.
        row: usize,
        /// The unit.
        id: String,
        /// The missing parent.
        parent: String,
    },
    /// Following parents from this unit returns to it.
    #[error("unit {} is its own ancestor: the parent links form a cycle ({path})", crate::quote::quote(.id))]
    Cycle {
        /// Row of a unit on the cycle.
        row: usize,
        /// The unit.
        id: String,
        /// The cycle, as `a -> b -> a`.
        path: String,
    },
    /// No units at all.
    #[error("the territorial tree has no units")]
    Empty,
}

impl UnitTreeError {
    /// 0-based input row the error is about, if any.
    pub fn row(&self) -> Option<usize> {
        match self {
            UnitTreeError::BadId { row, .. }
            | UnitTreeError::Duplicate { row, .. }
            | UnitTreeError::UnknownParent { row, .. }
            | UnitTreeError::Cycle { row, .. } => Some(*row),
            UnitTreeError::Empty => None,
        }
    }
}

/// A validated forest of units (normally one tree rooted at the country).
///
/// Invariants: ids are unique; every parent exists; there are no cycles; `order` lists every
/// unit with each parent before its children (a topological order), so sums can be computed
/// bottom-up by iterating it in reverse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitTree {
    units: Vec<Unit>,
    children: Vec<Vec<UnitIdx>>,
    by_id: HashMap<UnitId, UnitIdx>,
    order: Vec<UnitIdx>,
    depth: Vec<u32>,
}

impl UnitTree {
    /// Builds and validates the tree. All problems are returned, not only the first.
    pub fn new(infos: Vec<UnitInfo>) -> Result<UnitTree, Vec<UnitTreeError>> {
        let mut errors = Vec::new();
        if infos.is_empty() {
            return Err(vec![UnitTreeError::Empty]);
        }
        let mut by_id: HashMap<UnitId, UnitIdx> = HashMap::with_capacity(infos.len());
        for (row, info) in infos.iter().enumerate() {
            if let Err(message) = check_id_syntax(&info.id) {
                errors.push(UnitTreeError::BadId { row, message: format!("unit {message}") });
                continue;
            }
            if by_id.insert(UnitId::new(info.id.clone()), row).is_some() {
                errors.push(UnitTreeError::Duplicate { row, id: info.id.clone() });
            }
        }
        let mut units = Vec::with_capacity(infos.len());
        for (row, info) in infos.into_iter().enumerate() {
            let parent = if info.parent.is_empty() {
                None
            } else {
                match by_id.get(info.parent.as_str()) {
                    Some(&p) => Some(p),
                    None => {
                        errors.push(UnitTreeError::UnknownParent {
                            row,
                            id: info.id.clone(),
                            parent: info.parent.clone(),
                        });
                        None
                    }
                }
            };
            units.push(Unit { id: UnitId::new(info.id), parent, kind: info.kind, name: info.name });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        // Cycle detection: colour each unit by walking up to a root or a visited unit.
        let n = units.len();
        let mut state = vec![0u8; n]; // 0 unvisited, 1 on current path, 2 done
        for start in 0..n {
            let mut path = Vec::new();
            let mut cur = Some(start);
            while let Some(u) = cur {
                match state[u] {
                    2 => break,
                    1 => {
                        let pos = path.iter().position(|&p| p == u).unwrap_or(0);
                        let mut names: Vec<&str> =
                            path[pos..].iter().map(|&p: &usize| units[p].id.as_str()).collect();
                        names.push(units[u].id.as_str());
                        let mut path = names.join(" -> ");
                        if path.len() > crate::quote::MAX_QUOTE_BYTES {
                            let mut end = crate::quote::MAX_QUOTE_BYTES;
                            while !path.is_char_boundary(end) {
                                end -= 1;
                            }
                            path.truncate(end);
                            path.push_str(&format!(" … ({} units)", names.len()));
                        }
                        errors.push(UnitTreeError::Cycle {
                            row: u,
                            id: units[u].id.to_string(),
                            path,
                        });
                        break;
                    }
                    _ => {
                        state[u] = 1;
                        path.push(u);
                        cur = units[u].parent;
                    }
                }
            }
            for p in path {
                state[p] = 2;
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut children = vec![Vec::new(); n];
        let mut roots = Vec::new();
        for (i, u) in units.iter().enumerate() {
            match u.parent {
                Some(p) => children[p].push(i),
                None => roots.push(i),
            }
        }
        let mut order = Vec::with_capacity(n);
        let mut depth = vec![0u32; n];
        let mut stack: Vec<UnitIdx> = roots.into_iter().rev().collect();
        while let Some(u) = stack.pop() {
            order.push(u);
            for &c in children[u].iter().rev() {
                depth[c] = depth[u] + 1;
                stack.push(c);
            }
        }
        let by_id = units.iter().enumerate().map(|(i, u)| (u.id.clone(), i)).collect();
        Ok(UnitTree { units, children, by_id, order, depth })
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.units.len()
    }

    /// Always false for a validated tree; present for API symmetry.
    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// The unit at `idx`.
    pub fn unit(&self, idx: UnitIdx) -> &Unit {
        &self.units[idx]
    }

    /// All units in input order.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Finds a unit by id.
    pub fn index_of(&self, id: &str) -> Option<UnitIdx> {
        self.by_id.get(id).copied()
    }

    /// Direct children of a unit, in input order.
    pub fn children(&self, idx: UnitIdx) -> &[UnitIdx] {
        &self.children[idx]
    }

    /// Depth below its root (root = 0).
    pub fn depth(&self, idx: UnitIdx) -> u32 {
        self.depth[idx]
    }

    /// Every unit, parents before children (depth-first, children in input order).
    pub fn topological_order(&self) -> &[UnitIdx] {
        &self.order
    }

    /// True when `ancestor` is `unit` or lies on the path from `unit` to its root.
    pub fn is_within(&self, unit: UnitIdx, ancestor: UnitIdx) -> bool {
        let mut cur = Some(unit);
        while let Some(u) = cur {
            if u == ancestor {
                return true;
            }
            cur = self.units[u].parent;
        }
        false
    }

    /// The units of the subtree rooted at `root` (including it), parents before children.
    pub fn subtree(&self, root: UnitIdx) -> Vec<UnitIdx> {
        let mut res = Vec::new();
        let mut stack = vec![root];
        while let Some(u) = stack.pop() {
            res.push(u);
            for &c in self.children[u].iter().rev() {
                stack.push(c);
            }
        }
        res
    }

    /// The path from a root down to `unit` (inclusive).
    pub fn path(&self, unit: UnitIdx) -> Vec<UnitIdx> {
        let mut res = vec![unit];
        let mut cur = self.units[unit].parent;
        while let Some(u) = cur {
            res.push(u);
            cur = self.units[u].parent;
        }
        res.reverse();
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(id: &str, parent: &str) -> UnitInfo {
        UnitInfo { id: id.into(), parent: parent.into(), kind: "x".into(), name: id.into() }
    }

    #[test]
    fn builds_a_tree_with_parents_before_children() {
        let tree = UnitTree::new(vec![info("S1", "R1"), info("KZ", ""), info("R1", "KZ")]).unwrap();
        let order: Vec<&str> =
            tree.topological_order().iter().map(|&i| tree.unit(i).id.as_str()).collect();
        assert_eq!(order, ["KZ", "R1", "S1"]);
        assert!(tree.is_within(0, 1));
        assert!(!tree.is_within(1, 0));
        assert_eq!(tree.depth(0), 2);
    }

    #[test]
    fn reports_cycles_unknown_parents_and_duplicates() {
        let errs = UnitTree::new(vec![info("A", "B"), info("B", "A")]).unwrap_err();
        assert!(matches!(&errs[0], UnitTreeError::Cycle { path, .. } if path == "A -> B -> A"));
        let errs = UnitTree::new(vec![info("A", "Z")]).unwrap_err();
        assert!(matches!(&errs[0], UnitTreeError::UnknownParent { row: 0, .. }));
        let errs = UnitTree::new(vec![info("A", ""), info("A", "")]).unwrap_err();
        assert!(matches!(&errs[0], UnitTreeError::Duplicate { row: 1, .. }));
        let errs = UnitTree::new(vec![info("A A", "")]).unwrap_err();
        assert!(matches!(&errs[0], UnitTreeError::BadId { row: 0, .. }));
    }
}
