"""Page parsers: HtmlResponse in, Article and links out. No crawler needed."""
