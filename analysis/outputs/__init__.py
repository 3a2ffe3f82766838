"""What ccsim writes: atomic files, summaries, the TOML writer, plots and the HTML report."""
