"""Text for people: captions, notes, sentences and formatted numbers, one module per subject.

The statistics modules return numbers and tidy tables; the views put them into words with these helpers.
Nothing here computes a statistic.
"""
