# Reference values from R survival and cmprsk for tests/test_survival_reference.py.
# Run from the repository root: Rscript tests/reference/R/survival_reference.R
# (inputs: python tests/reference/make_inputs.py). Writes tests/reference/survival_reference.json.
suppressMessages({library(survival); library(cmprsk); library(jsonlite)})
ref <- "tests/reference"
ctl <- coxph.control(eps = 1e-14, toler.chol = 1e-15, iter.max = 200)  # converge far past the test tolerance
out <- list(R = R.version.string, survival = as.character(packageVersion("survival")),
            cmprsk = as.character(packageVersion("cmprsk")))

cox_summary <- function(fit) {
  b <- basehaz(fit, centered = FALSE)
  list(coef = unname(coef(fit)), names = names(coef(fit)), se = unname(sqrt(diag(fit$var))),
       naive_se = if (is.null(fit$naive.var)) NULL else unname(sqrt(diag(fit$naive.var))),
       loglik = fit$loglik[2],
       basehaz = list(time = b$time, hazard = b$hazard, strata = as.character(b$strata)))
}

d <- read.csv(file.path(ref, "cox_review_spells.csv"))
d$education <- relevel(factor(d$education), ref = "high_school")
for (ties in c("efron", "breslow")) {
  fit <- coxph(Surv(time, promotion) ~ kpi_score + education + strata(level), data = d,
               cluster = employee_id, ties = ties, control = ctl)
  out[[paste0("review_", ties)]] <- cox_summary(fit)
}

k <- read.csv(file.path(ref, "cox_kpi_intervals.csv"))
fit <- coxph(Surv(entry, stop, promotion) ~ kpi_score + strata(level), data = k,
             cluster = employee_id, ties = "efron", control = ctl)
out$kpi_intervals <- cox_summary(fit)

# Kaplan-Meier medians: S(t) = 0.5 exactly on a step (R takes the midpoint), and a curve reaching 0.
km_median <- function(time, status) {
  s <- summary(survfit(Surv(time, status) ~ 1, conf.type = "log-log"))$table
  list(time = time, status = status, median = unname(s["median"]),
       lower = unname(s["0.95LCL"]), upper = unname(s["0.95UCL"]))
}
out$km_half <- km_median(c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), c(1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 0, 1))
out$km_half2 <- km_median(c(2, 4, 4, 6, 8, 9, 10, 12), c(1, 1, 1, 1, 1, 1, 1, 1))
out$km_zero <- km_median(c(1, 2, 3, 5, 8, 9, 11), c(1, 1, 1, 0, 1, 1, 1))

# Fine-Gray subdistribution hazard of promotion with exit competing.
f <- read.csv(file.path(ref, "finegray_level1.csv"))
cr <- crr(f$time, f$status, cbind(kpi_score = f$kpi_score, tier3 = f$tier3), failcode = 1, cencode = 0)
out$finegray <- list(coef = unname(cr$coef), names = names(cr$coef), se = unname(sqrt(diag(cr$var))),
                     loglik = cr$loglik)

write_json(out, file.path(ref, "survival_reference.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
