"""The owner's gallery of generations: history (list and grid), favourites, boards, bulk actions,
deleting images and jobs (soft, then the files leave storage after a grace period)."""
