# Runs R's forecast::ets and forecast::auto.arima (defaults) on every k-th M4 Hourly series and writes the forecasts
# with per-series elapsed seconds, for the side-by-side comparison in Auspex.Bench.Forecasting (--r).
# Usage: Rscript m4_r_forecast.R M4_DIR EVERY_K OUT_CSV
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
every <- as.integer(args[2])
out <- args[3]
suppressMessages(library(forecast))
read_rows <- function(path) {
  d <- read.csv(path, stringsAsFactors = FALSE)
  lapply(seq_len(nrow(d)), function(i) { v <- as.numeric(unlist(d[i, -1])); v[!is.na(v)] })
}
train <- read_rows(file.path(dir, "Hourly-train.csv"))
con <- file(out, "w")
writeLines("series,model,seconds,step,mean,lo95,hi95", con)
for (i in seq(1, length(train), by = every)) {
  y <- ts(train[[i]], frequency = 24)
  for (m in c("ets", "auto.arima")) {
    t0 <- proc.time()[["elapsed"]]
    fit <- if (m == "ets") ets(y) else auto.arima(y)
    fc <- forecast(fit, h = 48, level = 95)
    el <- proc.time()[["elapsed"]] - t0
    lines <- sprintf("%d,%s,%.3f,%d,%.10g,%.10g,%.10g", i - 1, m, el, 1:48, as.numeric(fc$mean), as.numeric(fc$lower), as.numeric(fc$upper))
    writeLines(lines, con)
    flush(con)
  }
}
close(con)
