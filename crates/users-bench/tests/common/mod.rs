//! Shared helpers for the users-bench end-to-end tests.

/// The cells of every row of the markdown tables in `text`, without their header rows (first
/// cell `header`) and separator lines.
pub fn table_rows(text: &str, header: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|line| line.starts_with("| "))
        .map(|line| {
            line.trim_matches('|')
                .split('|')
                .map(|c| c.trim().to_owned())
                .collect::<Vec<String>>()
        })
        .filter(|cells| cells.first().map(String::as_str) != Some(header))
        .collect()
}
