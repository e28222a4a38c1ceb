# Multiple imputation of seed-shaped studies by R mice's predictive mean matching.
#
# Called by make_pmm_reference.py beside this file, which writes the studies as
# study_<seed>.csv into a directory and reads back mice.csv from it:
#
#     Rscript tests/stats/data/make_pmm_reference.R DIR M MAXIT
#
# For every study: mice(method = "pmm", m = M, maxit = MAXIT, seed = <seed>) with mice's
# defaults otherwise (every other column predicts, 5 donors, type-1 matching, visit sequence
# left to right), the alliance scale scored as the mean of its items in each completed data
# set, and the a path (fidelity -> alliance, adjusting for age, gender and baseline) fitted by
# lm: the mean over the M data sets (the MI estimate, Rubin's point estimate) and the fit on
# complete cases.
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 3)
dir <- args[[1]]
m <- as.integer(args[[2]])
maxit <- as.integer(args[[3]])
suppressPackageStartupMessages(library(mice))

a_path <- function(frame) {
  items <- grep("^item", names(frame))
  frame$alliance <- rowMeans(frame[, items])
  fit <- lm(alliance ~ fidelity + age + gender + baseline, data = frame)
  unname(coef(fit)[["fidelity"]])
}

files <- sort(list.files(dir, pattern = "^study_[0-9]+\\.csv$"))
rows <- lapply(files, function(file) {
  seed <- as.integer(sub("^study_([0-9]+)\\.csv$", "\\1", file))
  frame <- read.csv(file.path(dir, file))
  imp <- mice(frame, m = m, maxit = maxit, method = "pmm", seed = seed, printFlag = FALSE)
  if (!is.null(imp$loggedEvents)) {
    print(imp$loggedEvents)
  }
  mi <- mean(vapply(seq_len(m), function(i) a_path(complete(imp, i)), numeric(1)))
  cc <- a_path(frame[complete.cases(frame), ])
  data.frame(seed = seed, mi_a = mi, cc_a = cc)
})
out <- do.call(rbind, rows)
write.csv(
  format(out, digits = 17), file.path(dir, "mice.csv"), row.names = FALSE, quote = FALSE
)
cat(sprintf("R %s, mice %s\n", getRversion(), packageVersion("mice")), file = file.path(dir, "versions.txt"))
