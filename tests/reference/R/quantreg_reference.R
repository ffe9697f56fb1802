# Reference values from R quantreg::rq for tests/test_pay_reference.py.
# Run from the repository root: Rscript tests/reference/R/quantreg_reference.R
suppressMessages({library(quantreg); library(jsonlite)})
ref <- "tests/reference"
d <- read.csv(file.path(ref, "quantreg_pay.csv"))
out <- list(R = R.version.string, quantreg = as.character(packageVersion("quantreg")))
# tau = 0.5 would be non-unique here (96 rows in wuhan: n * tau is whole, the optimum a flat segment)
for (tau in c(0.1, 0.3, 0.9)) {
  fit <- rq(log_pay ~ experience_years + city, tau = tau, data = d, method = "br")
  out[[sprintf("tau_%g", tau)]] <- list(coef = unname(coef(fit)), names = names(coef(fit)))
}
write_json(out, file.path(ref, "quantreg_reference.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
