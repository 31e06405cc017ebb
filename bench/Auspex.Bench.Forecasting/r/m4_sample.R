# Chooses the stratified M4 Hourly sample for the side-by-side run with R (session 9), before anything is run on it.
# Strata: series length (700 or 960 values; those are the only two in Hourly) x tercile of seasonal strength within
# that length class, i.e. 1 - var(remainder) / var(detrended), where detrended = y - centred 2x24 moving average and
# remainder = detrended - its mean hour-of-day profile. Sample size N (default 48) split over the six strata in
# proportion to their size (largest remainder), drawn at random with set.seed(20261205) in each stratum. The list is
# written interleaved across strata (one of each stratum in turn), so any prefix of it is itself roughly balanced.
# Usage: Rscript m4_sample.R M4_DIR OUT_TXT [N]
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
out <- args[2]
n <- if (length(args) >= 3) as.integer(args[3]) else 48L
d <- read.csv(file.path(dir, "Hourly-train.csv"), stringsAsFactors = FALSE)
ys <- lapply(seq_len(nrow(d)), function(i) { v <- as.numeric(unlist(d[i, -1])); v[!is.na(v)] })
strength <- sapply(ys, function(y) {
  tr <- stats::filter(y, c(0.5, rep(1, 23), 0.5) / 24, sides = 2)
  de <- y - tr
  ok <- !is.na(de)
  hour <- (seq_along(y) - 1) %% 24
  prof <- tapply(de[ok], hour[ok], mean)
  rem <- de[ok] - prof[as.character(hour[ok])]
  v <- var(de[ok])
  if (v <= 0) 0 else max(0, 1 - var(rem) / v)
})
len <- sapply(ys, length)
stratum <- character(length(ys))
for (L in unique(len)) {
  idx <- which(len == L)
  q <- quantile(strength[idx], c(1 / 3, 2 / 3))
  t <- ifelse(strength[idx] <= q[1], "low", ifelse(strength[idx] <= q[2], "mid", "high"))
  stratum[idx] <- paste0("len", L, "-", t)
}
sizes <- table(stratum)
quota <- floor(n * sizes / sum(sizes))
rem <- n * sizes / sum(sizes) - quota
extra <- n - sum(quota)
if (extra > 0) quota[order(-rem)[seq_len(extra)]] <- quota[order(-rem)[seq_len(extra)]] + 1
set.seed(20261205)
picks <- lapply(names(sizes), function(s) { idx <- which(stratum == s); idx[sample.int(length(idx), quota[[s]])] })
names(picks) <- names(sizes)
order_out <- integer(0)
for (k in seq_len(max(quota))) for (s in names(picks)) if (k <= length(picks[[s]])) order_out <- c(order_out, picks[[s]][k])
lines <- sprintf("%d,%s,%s,%.4f", order_out - 1, d[order_out, 1], stratum[order_out], strength[order_out])
writeLines(c("index,id,stratum,seasonal_strength", lines), out)
print(sizes); print(quota)
