# Write cr2_reference.py: a small clustered data set and R clubSandwich's CR2 results on it.
#
# Run from the repository root (R with clubSandwich; R is not needed by the tests):
#
#     Rscript tests/stats/data/make_cr2_reference.R
#     .venv/bin/ruff format tests/stats/data/cr2_reference.py
#
# Made with R 4.2 and clubSandwich 0.5.8. The data: 11 teams of unequal size (one with a
# single client), team-level fidelity exposure x with a little client-level spread, an
# alliance m and an outcome y with team random effects, and one client covariate. For each of
# the three models of a simple mediation (m ~ x + age, y ~ x + m + age, y ~ x + age) it
# stores every coefficient's CR2 standard error (vcovCR(type = "CR2")) and its Satterthwaite
# degrees of freedom and p-value (coef_test(test = "Satterthwaite")).

suppressMessages(library(clubSandwich))

set.seed(20260412)
sizes <- c(1, 3, 4, 6, 7, 8, 9, 11, 12, 14, 17)
team <- rep(seq_along(sizes), sizes)
n <- length(team)
x <- round(rnorm(length(sizes), 28, 3)[team] + rnorm(n, 0, 0.8), 3)
age <- round(rnorm(n, 40, 11), 1)
m <- round(40 + 0.6 * x + 0.05 * age + rnorm(length(sizes), 0, 3)[team] + rnorm(n, 0, 5), 3)
y <- round(1 + 0.12 * m + 0.02 * x + rnorm(length(sizes), 0, 1)[team] + rnorm(n, 0, 1.2), 3)
frame <- data.frame(team = team, x = x, m = m, y = y, age = age)

models <- list(
  m = lm(m ~ x + age, data = frame),
  y = lm(y ~ x + m + age, data = frame),
  total = lm(y ~ x + age, data = frame)
)

numbers <- function(values) {
  paste0("[", paste(sprintf("%.17g", values), collapse = ", "), "]")
}

out <- c(
  '"""CR2 reference values for ``test_cluster_inference.py``, written by a script: do not edit.',
  "",
  "Made by ``make_cr2_reference.R`` beside this file with R 4.2 and clubSandwich 0.5.8:",
  "``vcovCR(fit, cluster = team, type = \"CR2\")`` and ``coef_test(fit, vcov = ...,",
  "test = \"Satterthwaite\")`` for each model of the mediation. Coefficients are in the order",
  "of each model's formula (intercept first).",
  '"""',
  "",
  "DATA = {"
)
for (name in names(frame)) {
  out <- c(out, sprintf('    "%s": %s,', name, numbers(frame[[name]])))
}
out <- c(out, "}", "", "MODELS = {")
formulas <- c(m = "m ~ x + age", y = "y ~ x + m + age", total = "y ~ x + age")
for (name in names(models)) {
  fit <- models[[name]]
  vcov <- vcovCR(fit, cluster = frame$team, type = "CR2")
  test <- coef_test(fit, vcov = vcov, test = "Satterthwaite")
  out <- c(
    out,
    sprintf('    "%s": {', name),
    sprintf('        "formula": "%s",', formulas[[name]]),
    sprintf('        "coef": %s,', numbers(coef(fit))),
    sprintf('        "se": %s,', numbers(sqrt(diag(as.matrix(vcov))))),
    sprintf('        "df": %s,', numbers(test$df_Satt)),
    sprintf('        "p": %s,', numbers(test$p_Satt)),
    "    },"
  )
}
out <- c(out, "}")
writeLines(out, "tests/stats/data/cr2_reference.py")
