"""From a question to ranked hits: lexical and dense legs, fusion, abstention, highlight."""
