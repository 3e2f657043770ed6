package dev.lathe.face.likeness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageFoldersTest {

    @Test
    void epochsSortByNumber() {
        List<Path> names = new ArrayList<>();
        for (String name : List.of("epoch-10", "epoch-2", "epoch-1", "epoch-002b", "last", "epoch-02")) {
            names.add(Path.of(name));
        }
        names.sort(ImageFolders.NATURAL_ORDER);
        assertEquals(List.of("epoch-1", "epoch-02", "epoch-2", "epoch-002b", "epoch-10", "last"),
                names.stream().map(Path::toString).toList());
    }

    @Test
    void imagesAreKnownByExtension() {
        assertEquals(true, ImageFolders.isImage(Path.of("a.JPG")));
        assertEquals(true, ImageFolders.isImage(Path.of("b.png")));
        assertEquals(false, ImageFolders.isImage(Path.of("c.txt")));
        assertEquals(false, ImageFolders.isImage(Path.of(".png")));
    }
}
