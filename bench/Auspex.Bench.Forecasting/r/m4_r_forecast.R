# Runs R's forecast::ets and forecast::auto.arima (defaults) on M4 Hourly series and writes the forecasts with
# per-series elapsed and CPU seconds, for the side-by-side comparison in Auspex.Bench.Forecasting (--r / --r-results).
# Usage: Rscript m4_r_forecast.R M4_DIR SERIES OUT_CSV [PART/PARTS]
#   SERIES: every k-th series (an integer k), or a CSV file whose first column is the 0-based series index (header
#   line first, e.g. the output of m4_sample.R). PART/PARTS (e.g. 1/2) runs only every PARTS-th entry of that list
#   starting at PART, so the list can be split over processes.
# CPU seconds = user + system time of this process (proc.time()), the measure the Auspex side reports too.
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
sel <- args[2]
out <- args[3]
part <- if (length(args) >= 4) as.integer(strsplit(args[4], "/")[[1]]) else c(1L, 1L)
suppressMessages(library(forecast))
read_rows <- function(path) {
  d <- read.csv(path, stringsAsFactors = FALSE)
  lapply(seq_len(nrow(d)), function(i) { v <- as.numeric(unlist(d[i, -1])); v[!is.na(v)] })
}
train <- read_rows(file.path(dir, "Hourly-train.csv"))
idx <- if (grepl("^[0-9]+$", sel)) seq(1, length(train), by = as.integer(sel)) else read.csv(sel)[[1]] + 1
idx <- idx[seq(part[1], length(idx), by = part[2])]
# Resumable: when OUT_CSV exists, the series it already holds for both models are kept and skipped (partial ones redone).
done <- integer(0)
if (file.exists(out)) {
  old <- read.csv(out, stringsAsFactors = FALSE)
  complete <- intersect(old$series[old$model == "ets"], old$series[old$model == "auto.arima"])
  old <- old[old$series %in% complete, ]
  done <- unique(old$series) + 1
  write.csv(old, out, row.names = FALSE, quote = FALSE)
  con <- file(out, "a")
} else {
  con <- file(out, "w")
  writeLines("series,model,seconds,step,mean,lo95,hi95,cpu_seconds", con)
}
for (i in setdiff(idx, done)) {
  y <- ts(train[[i]], frequency = 24)
  for (m in c("ets", "auto.arima")) {
    t0 <- proc.time()
    fit <- if (m == "ets") ets(y) else auto.arima(y)
    fc <- forecast(fit, h = 48, level = 95)
    t1 <- proc.time() - t0
    el <- t1[["elapsed"]]
    cpu <- t1[["user.self"]] + t1[["sys.self"]]
    lines <- sprintf("%d,%s,%.3f,%d,%.10g,%.10g,%.10g,%.3f", i - 1, m, el, 1:48, as.numeric(fc$mean), as.numeric(fc$lower), as.numeric(fc$upper), cpu)
    writeLines(lines, con)
    flush(con)
  }
}
close(con)
